import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep test output readable: the SDK's worker logs only errors (expected activity retries would flood it).
Runtime.install({ logger: new DefaultLogger((process.env.TEMPORAL_TEST_LOG_LEVEL as 'WARN') ?? 'ERROR') });
