import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep test output readable: the SDK's worker logs only warnings and errors.
Runtime.install({ logger: new DefaultLogger('WARN') });
