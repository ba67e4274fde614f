import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/**
 * Workflow histories recorded from real runs (`npm run record-histories`), replayed against the
 * current workflow code by test/workflows/replay.test.ts, so a non-deterministic change fails CI.
 * Stored as binary protobuf (temporal.api.history.v1.History).
 */
export const historiesDir = path.resolve(__dirname, '../workflows/histories');
const History = temporal.api.history.v1.History;

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

export async function recordHistories(handles: WorkflowHandle[]): Promise<void> {
  mkdirSync(historiesDir, { recursive: true });
  const name = slug(expect.getState().currentTestName ?? 'history');
  for (const [index, handle] of handles.entries()) {
    const file = path.join(historiesDir, `${name}${handles.length > 1 ? `-${index + 1}` : ''}.binpb`);
    writeFileSync(file, History.encode(History.fromObject(await handle.fetchHistory())).finish());
  }
}

export function loadRecordedHistories(): { workflowId: string; history: temporal.api.history.v1.IHistory }[] {
  return readdirSync(historiesDir)
    .filter((file) => file.endsWith('.binpb'))
    .sort()
    .map((file) => ({ workflowId: path.basename(file, '.binpb'), history: History.decode(readFileSync(path.join(historiesDir, file))) }));
}
