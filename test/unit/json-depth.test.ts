import { maxJsonDepth, nestsDeeperThan } from '../../api/middleware/json-body';

describe('JSON nesting bound (request bodies)', () => {
  const nested = (levels: number) => {
    let value: unknown = 1;
    for (let level = 0; level < levels; level += 1) value = level % 2 ? [value] : { v: value };
    return value;
  };

  it('accepts bodies up to the limit and refuses one level more', () => {
    expect(nestsDeeperThan(nested(maxJsonDepth), maxJsonDepth)).toBe(false);
    expect(nestsDeeperThan(nested(maxJsonDepth + 1), maxJsonDepth)).toBe(true);
    expect(nestsDeeperThan('scalar', 1)).toBe(false);
  });

  it('walks a very deep body without exhausting the stack', () => {
    expect(nestsDeeperThan(nested(200_000), maxJsonDepth)).toBe(true);
  });
});
