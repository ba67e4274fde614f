import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

/**
 * Every SDK and activity log line of the test process is kept (for the privacy scan in
 * test/integration/privacy.test.ts); only errors are printed, to keep test output readable.
 * TEMPORAL_TEST_LOG_LEVEL=WARN (or DEBUG) prints more.
 */
const printLevel = process.env.TEMPORAL_TEST_LOG_LEVEL ?? 'ERROR';
const order = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
export const capturedTemporalLogs: LogEntry[] = [];
(globalThis as { __capturedTemporalLogs?: LogEntry[] }).__capturedTemporalLogs = capturedTemporalLogs;

Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) => {
    capturedTemporalLogs.push(entry);
    if (capturedTemporalLogs.length > 20_000) capturedTemporalLogs.shift();
    if (order.indexOf(entry.level) >= order.indexOf(printLevel)) console.error(`[${entry.level}] ${entry.message}`, entry.meta ?? '');
  }),
});
