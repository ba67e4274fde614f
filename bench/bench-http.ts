import { randomUUID } from 'node:crypto';
import type https from 'node:https';
import { postToIssuer, type IssuerAnswer } from '../wallet/issuer-request';

/** One server the bench measures: the Issuer API or the bare baseline, over mTLS. */
export interface Target {
  name: string;
  url: string;
  agent: https.Agent;
}

/** Server-Timing phases (api/server-timing.ts) of every issuer response, by endpoint. */
export const phasesByRoute = new Map<string, Record<string, number>[]>();

function recordServerTiming(route: string, header: string | undefined): void {
  if (!header) return;
  const phases: Record<string, number> = {};
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.trim().split(';');
    const duration = params.find((p) => p.startsWith('dur='));
    if (name && duration) phases[name] = Number(duration.slice(4));
  }
  phasesByRoute.set(route, [...(phasesByRoute.get(route) ?? []), phases]);
}

/** A Wallet Server's POST to an endpoint of `target`, with a fresh x-request-id; its Server-Timing is recorded. */
export async function post<Json = Record<string, unknown>>(target: Target, route: string, body: unknown): Promise<Omit<IssuerAnswer, 'json'> & { json: Json }> {
  const answer = await postToIssuer(`${target.url}${route}`, body, { agent: target.agent, requestId: randomUUID() });
  recordServerTiming(route, answer.headers['server-timing'] as string | undefined);
  return answer as Omit<IssuerAnswer, 'json'> & { json: Json };
}

/** Mean ms per Server-Timing phase, one line per endpoint. */
export function printServerTiming(breakdown: ReadonlyMap<string, Record<string, number>[]>): void {
  for (const [route, samples] of breakdown) {
    const names = [...new Set(samples.flatMap((sample) => Object.keys(sample)))];
    const mean = (name: string) => samples.reduce((sum, sample) => sum + (sample[name] ?? 0), 0) / samples.length;
    console.log(`  ${route.padEnd(24)} ${names.map((name) => `${name} ${mean(name).toFixed(1)}`).join(' · ')}  (${samples.length} requests)`);
  }
}

/** The p-th percentile (nearest rank) of `values`; 0 for none. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export const ms = (v: number) => `${v.toFixed(1)} ms`;
