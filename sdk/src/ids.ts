/**
 * Client message ids: random RFC 4122 version-4 UUIDs, unique per sender, so a resend is
 * recognised as the same send. Web Crypto where the platform has it: `crypto.randomUUID` (Node,
 * browsers on https:// or localhost), else `crypto.getRandomValues` (browsers also offer it to
 * plain-http pages, where randomUUID is missing); else the injected `random` (JS engines without
 * Web Crypto, e.g. React Native without a polyfill), whose 122 random bits still make a collision
 * between two sends of one user vanishingly unlikely.
 */

const UUID_BYTES = 16;

/** The part of Web Crypto used here; either method may be missing. */
interface WebCrypto {
  randomUUID?(): string;
  getRandomValues?(array: Uint8Array): Uint8Array;
}

export function createIdSource(random: () => number, webCrypto = (globalThis as { crypto?: WebCrypto }).crypto): () => string {
  const randomUUID = webCrypto?.randomUUID?.bind(webCrypto);
  if (randomUUID !== undefined) return randomUUID;
  const getRandomValues = webCrypto?.getRandomValues?.bind(webCrypto);
  if (getRandomValues !== undefined) return () => formatUuid(getRandomValues(new Uint8Array(UUID_BYTES)));
  return () => formatUuid(Uint8Array.from({ length: UUID_BYTES }, () => Math.floor(random() * 256)));
}

/** Sets the version (4) and variant (10xx) bits of RFC 4122 §4.4 and writes the 8-4-4-4-12 form. */
export function formatUuid(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
