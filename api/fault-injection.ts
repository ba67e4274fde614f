/**
 * Named points right after each effect of a request handler. Crash tests and `npm run chaos`
 * set S2S_FAULT_CRASH_AFTER to one of them to kill the API process exactly there (SIGKILL: no
 * cleanup, no response), and then prove that a retry finishes the request. Inert otherwise.
 */
export const crashPoints = [
  'initiate.session-stored',
  'initiate.quota-slot-taken',
  'initiate.data-stored',
  'initiate.workflow-started',
  'response.before-stored',
] as const;
export type CrashPoint = (typeof crashPoints)[number];

export type CrashAfter = (point: CrashPoint) => void;

export const neverCrash: CrashAfter = () => undefined;

/** The crash hook for a configured point (validated, so a typo cannot silently disable a test). */
export function crashAfter(point: string | undefined): CrashAfter {
  if (!point) return neverCrash;
  if (!(crashPoints as readonly string[]).includes(point)) throw new Error(`S2S_FAULT_CRASH_AFTER must be one of ${crashPoints.join(', ')}, got "${point}"`);
  return (reached) => {
    if (reached === point) process.kill(process.pid, 'SIGKILL');
  };
}
