/**
 * Flag values of the benchmark and simulator command lines (`node:util` parseArgs gives strings),
 * checked once at start-up so a typo fails with the flag's name instead of a meaningless run.
 */

export function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${flag} must be a positive number, got ${JSON.stringify(text)}`);
  return value;
}

export function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

/** `30s`, `4m`, `1500ms`, or plain seconds. */
export function durationMs(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new RangeError(`${flag} must be a duration like 30s, 4m or 1500ms, got ${JSON.stringify(text)}`);
  const unitMs = { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 's']!;
  const value = Number(match[1]) * unitMs;
  if (value <= 0) throw new RangeError(`${flag} must be positive, got ${JSON.stringify(text)}`);
  return value;
}

export function oneOf<const T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new RangeError(`${flag} must be one of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return text as T;
}

/** A share, from 0 to 1 (`--sse-share 0.3`). */
export function fraction(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${flag} must be a number from 0 to 1, got ${JSON.stringify(text)}`);
  }
  return value;
}
