import { randomBytes } from 'node:crypto';

/**
 * A compact random id (16 base64url characters, 96 bits) that is valid in every topic and never
 * starts with `-`: an id such as `-WMSIYhyCCqYg-JJ` (1 in 64 of them before) reads as an option
 * to command-line parsers (chatctl's, and any operator's script), so those are drawn again. Every
 * other id stays equally likely.
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(12).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
