/**
 * `fn` over `items`, `size` at a time (bounded concurrency against a shared server), results in
 * the order of `items`. `afterGroup` hears how many are done after each group (an activity's heartbeat).
 */
export async function mapInGroups<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>, afterGroup?: (done: number) => void): Promise<R[]> {
  const results: R[] = [];
  for (let at = 0; at < items.length; at += size) {
    results.push(...(await Promise.all(items.slice(at, at + size).map(fn))));
    afterGroup?.(results.length);
  }
  return results;
}

/** How many times each key occurs. */
export function countBy<K extends string>(keys: readonly K[]): Partial<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}
