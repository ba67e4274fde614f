import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * A short `npm run chaos` (bench/chaos.ts): its own stack, every process kind killed with
 * SIGKILL at least once under load, then every session checked. The full run is `npm run chaos`.
 */
it('loses, duplicates and wedges no session while every process is killed and restarted', async () => {
  const chaos = spawn(process.execPath, [path.resolve(__dirname, '..', '..', 'dist', 'bench', 'chaos.js')], {
    env: { ...process.env, CHAOS_SESSIONS: '30', CHAOS_CONCURRENCY: '4', CHAOS_ROUNDS: '1', CHAOS_KILL_EVERY_MS: '2000', CHAOS_SETTLE_MS: '150000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  chaos.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  chaos.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => chaos.once('close', resolve));
  const lines = output.trim().split('\n');
  if (code !== 0) console.log(output);
  expect(lines[lines.length - 1]).toMatch(/^chaos: \d+ sessions, 0 lost, 0 duplicated, 0 wedged$/);
  for (const victim of ['worker', 'api', 'ferretdb', 'postgres', 'temporal']) expect(output).toContain(`killed ${victim} (SIGKILL)`);
  expect(output).toMatch(/healthy tenant notified of the final status: (\d+) of \1;/);
  expect(code).toBe(0);
}, 600_000);
