/**
 * What a PostgreSQL `text` column (UTF-8) can hold: no NUL character (it aborts the whole
 * statement with SQLSTATE 22021, and with it every row batched alongside), and well-formed
 * Unicode (a lone surrogate would be stored silently as U+FFFD, so what was stored would differ
 * from what was acknowledged). Checked before the database, on every text a client sends.
 */

export type TextProblem = 'contains a NUL character' | 'contains a lone surrogate (not valid Unicode)';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored as PostgreSQL text unchanged, or undefined when it can. */
export function textProblem(text: string): TextProblem | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains a lone surrogate (not valid Unicode)';
  return undefined;
}

/**
 * The first string in a parsed JSON value (or query/path object) that cannot be stored, with
 * its path (`name`, `members[2]`), or undefined when every string can. Keys are checked too.
 * Iterative: a body of deeply nested arrays must not overflow the stack.
 */
export function findUnstorableText(value: unknown): { path: string; problem: TextProblem } | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: item, path } = next;
    if (typeof item === 'string') {
      const problem = textProblem(item);
      if (problem !== undefined) return { path: path || '(value)', problem };
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i -= 1) pending.push({ value: item[i], path: `${path}[${i}]` });
    } else if (typeof item === 'object' && item !== null) {
      const entries = Object.entries(item);
      for (const [key] of entries) {
        const problem = textProblem(key);
        if (problem !== undefined) return { path: path === '' ? '(a key)' : `${path} (a key)`, problem };
      }
      for (const [key, child] of entries.reverse()) pending.push({ value: child, path: path === '' ? key : `${path}.${key}` });
    }
  }
  return undefined;
}
