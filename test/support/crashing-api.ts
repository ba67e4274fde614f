import path from 'node:path';
import type { CrashPoint } from '../../api/fault-injection';
import { freePort, startProcess, waitForPort } from '../../dev/processes';
import { createHttpsClient, type HttpsClient } from './https-client';
import type { IssuerHarness } from './issuer-harness';

const apiMain = path.resolve(__dirname, '..', '..', 'dist', 'api', 'main.js');

/**
 * A real API process (dist/api/main.js) on the harness's database and Temporal, set to kill
 * itself (SIGKILL) right after `point`. `exited` resolves with the signal that ended it.
 */
export async function startCrashingApi(
  h: IssuerHarness,
  point: CrashPoint,
  leaseMs = 1000,
): Promise<{ http: HttpsClient; exited: Promise<NodeJS.Signals | null>; stop(): Promise<void> }> {
  const [port, adminPort, publicPort] = [await freePort(), await freePort(), await freePort()];
  const api = startProcess(`api-crash-${point}`, process.execPath, [apiMain], {
    logDir: path.join(h.config.dataDir, 'logs'),
    env: {
      ...h.env,
      S2S_API_PORT: String(port),
      S2S_ADMIN_PORT: String(adminPort),
      S2S_PUBLIC_PORT: String(publicPort),
      S2S_FAULT_CRASH_AFTER: point,
      S2S_IDEMPOTENCY_LEASE_MS: String(leaseMs),
    },
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => api.child.once('exit', (_code, signal) => resolve(signal)));
  await waitForPort(port, 30_000, api);
  return { http: createHttpsClient(`https://127.0.0.1:${port}`, h.caPem), exited, stop: () => api.stop() };
}
