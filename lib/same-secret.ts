import { timingSafeEqual } from 'node:crypto';

/** Compares a given secret with the expected one in constant time, so response times do not reveal it byte by byte. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
