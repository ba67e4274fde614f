import { rmSync } from 'node:fs';
import type { ManagedProcess } from '../../dev/processes';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __s2sServers?: ManagedProcess[] }).__s2sServers ?? [];
  // In reverse start order: FerretDB lets go of PostgreSQL before PostgreSQL shuts down.
  for (const server of [...servers].reverse()) await server.stop();
  if (process.env.S2S_TEST_DIR && !process.env.S2S_KEEP_TEST_DATA) rmSync(process.env.S2S_TEST_DIR, { recursive: true, force: true });
}
