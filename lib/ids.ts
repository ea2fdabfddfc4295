import { randomBytes } from 'node:crypto';

/** A compact random id (16 base64url characters, 96 bits) that is valid in every topic. */
export const newId = (): string => randomBytes(12).toString('base64url');
