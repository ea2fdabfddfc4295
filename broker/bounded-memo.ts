/**
 * Memoizes a pure function of a string for per-delivery paths (the forward guard runs once per
 * subscriber of every message): a Map lookup instead of a parse. Bounded: when `maxEntries`
 * keys are held, everything is forgotten at once, which is cheap and keeps memory flat when a
 * client invents topic names.
 */
export function memoize<T>(compute: (key: string) => T, maxEntries: number): (key: string) => T {
  const memo = new Map<string, T>();
  return (key) => {
    const known = memo.get(key);
    if (known !== undefined || memo.has(key)) return known as T;
    if (memo.size >= maxEntries) memo.clear();
    const value = compute(key);
    memo.set(key, value);
    return value;
  };
}
