/**
 * How integration tests wait for the worker: poll until a condition holds, with a generous
 * deadline, instead of sleeping for a fixed time or relying on a tight server-side timer. A
 * healthy run returns after the first few polls; a busy machine only makes it take longer.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline)
      throw new Error(`${options.what ?? 'condition'} not reached within ${options.timeoutMs ?? 30_000} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
