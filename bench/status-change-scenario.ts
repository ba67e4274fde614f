import https from 'node:https';
import { StatusList } from '@sd-jwt/jwt-status-list';
import { decodeJwt } from 'jose';
import { sendRequest } from '../wallet/issuer-request';
import { ms, percentile } from './bench-http';

/**
 * Profile §29: how long a back-office change takes to show in the published status list. For
 * each of a set of issued credentials, one at a time: the back office suspends its instance
 * (`POST /admin/credential-instances/{tenant}/{id}/lifecycle`), then the bench reads the public
 * list the credential names (no client certificate, as a Relying Party does, bypassing any HTTP
 * cache) until the entry reads SUSPENDED (0x02). Measured from sending the back-office call to
 * the first read that shows the bit; then the instance is resumed (not measured) and the next
 * one is taken.
 */
export interface StatusChangeTarget {
  adminUrl: string;
  backOfficeToken: string;
  caPem: string;
  tenantId: string;
  /** The status list listener as this machine reaches it, for the lists' public URL. */
  statusListBaseUrl: string;
  publicStatusListUrl: string;
}

export interface IssuedForStatusChange {
  credentialInstanceId: string;
  /** One credential of the instance (SD-JWT VC or JWT VC): its status entry is read. */
  credential: string;
}

export interface StatusChangeSummary {
  changes: number;
  /** Back-office call to the bit in the published list. */
  toPublished: { p50: number; p99: number; max: number };
  /** The back-office call alone (the change applied and answered). */
  call: { p50: number; p99: number };
  /** Reads of the list until the bit showed (1 = the first read after the answer). */
  readsP99: number;
}

export async function measureStatusChanges(target: StatusChangeTarget, issued: readonly IssuedForStatusChange[]): Promise<StatusChangeSummary> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 2, ca: target.caPem });
  const toPublished: number[] = [];
  const calls: number[] = [];
  const reads: number[] = [];
  try {
    for (const { credentialInstanceId, credential } of issued) {
      const entry = statusEntryOf(credential);
      const started = performance.now();
      await lifecycle(target, agent, credentialInstanceId, 'SUSPEND');
      calls.push(performance.now() - started);
      let count = 0;
      for (;;) {
        count += 1;
        if ((await publishedStatus(target, agent, entry)) === 0x02) break;
        if (performance.now() - started > 60_000) throw new Error(`status of ${credentialInstanceId} not published within 60 s`);
      }
      toPublished.push(performance.now() - started);
      reads.push(count);
      await lifecycle(target, agent, credentialInstanceId, 'RESUME');
    }
  } finally {
    agent.destroy();
  }
  return {
    changes: issued.length,
    toPublished: { p50: percentile(toPublished, 50), p99: percentile(toPublished, 99), max: Math.max(...toPublished) },
    call: { p50: percentile(calls, 50), p99: percentile(calls, 99) },
    readsP99: percentile(reads, 99),
  };
}

export function printStatusChanges(summary: StatusChangeSummary, ttlSeconds: number): void {
  console.log(`\nstatus change → published list (profile §29), ${summary.changes} back-office suspensions, one at a time`);
  console.log(
    `  back-office call to the bit in the published list: p50 ${ms(summary.toPublished.p50)}, p99 ${ms(summary.toPublished.p99)}, max ${ms(summary.toPublished.max)}`,
  );
  console.log(`  the back-office call alone:                        p50 ${ms(summary.call.p50)}, p99 ${ms(summary.call.p99)}`);
  console.log(`  reads until the bit showed: p99 ${summary.readsP99} (a Relying Party that caches the list adds up to its max-age, ${ttlSeconds} s here)`);
}

function statusEntryOf(credential: string): { idx: number; uri: string } {
  const payload = decodeJwt(credential.split('~')[0] as string) as { status?: { status_list?: { idx: number; uri: string } } };
  const entry = payload.status?.status_list;
  if (!entry) throw new Error('the credential names no status list entry');
  return entry;
}

async function lifecycle(target: StatusChangeTarget, agent: https.Agent, credentialInstanceId: string, action: 'SUSPEND' | 'RESUME'): Promise<void> {
  const payload = JSON.stringify({ action, reason: 'bench' });
  const answer = await sendRequest(`${target.adminUrl}/admin/credential-instances/${target.tenantId}/${credentialInstanceId}/lifecycle`, {
    method: 'POST',
    agent,
    headers: { Authorization: `Bearer ${target.backOfficeToken}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    body: payload,
  });
  const outcome = answer.status === 200 ? (JSON.parse(answer.text) as { outcome?: string }).outcome : undefined;
  if (outcome !== 'COMPLETED') throw new Error(`${action} of ${credentialInstanceId} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
}

async function publishedStatus(target: StatusChangeTarget, agent: https.Agent, entry: { idx: number; uri: string }): Promise<number> {
  const answer = await sendRequest(entry.uri.replace(target.publicStatusListUrl, target.statusListBaseUrl), {
    method: 'GET',
    agent,
    // The issuer's own listener, not a cache in front of it: what a Relying Party that revalidates gets.
    headers: { 'Cache-Control': 'no-cache', Accept: 'application/statuslist+jwt' },
  });
  if (answer.status !== 200) throw new Error(`status list ${entry.uri} answered ${answer.status}`);
  const list = (decodeJwt(answer.text) as { status_list: { bits: 1 | 2 | 4 | 8; lst: string } }).status_list;
  return StatusList.decompressStatusList(list.lst, list.bits).getStatus(entry.idx);
}
