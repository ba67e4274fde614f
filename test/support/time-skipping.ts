import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { toolPaths } from '../../dev/tools';
import { addSearchAttributes } from '../../clients/temporal/search-attributes';

/**
 * Temporal's time-skipping test server, from the binary dev/bootstrap.sh installed (no download),
 * with the workflows' custom search attributes registered as on the dev server.
 */
export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPaths().temporalTestServer } },
  });
  await addSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/**
 * A time-skipping server for the test file that calls this at its top level: started before its
 * tests, torn down after them. Returns the environment's getter (it exists once beforeAll ran).
 */
export function useTimeSkippingEnvironment(): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    // A client call the server answered UNAVAILABLE under load retries after a backoff: let it
    // settle before the channel closes, or its retry fails the file after its tests passed.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error('the time-skipping server is not started yet');
    return env;
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per test file instead of once per worker. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

const quietLogger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };
