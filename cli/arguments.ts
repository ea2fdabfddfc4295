/** Parsers of option values: a wrong one is a usage error (exit 1) naming the option. */
import { InvalidArgumentError } from 'commander';
import { isValidId } from '../schema/index.js';

export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError('must be a whole number, 1 or more');
  return value;
}

export function nonNegativeInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return value;
}

export function id(text: string): string {
  if (!isValidId(text)) throw new InvalidArgumentError('ids are 1 to 64 of A-Z a-z 0-9 _ -');
  return text;
}

export const oneOf =
  <T extends string>(...allowed: T[]) =>
  (text: string): T => {
    if (!(allowed as string[]).includes(text)) throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}`);
    return text as T;
  };
