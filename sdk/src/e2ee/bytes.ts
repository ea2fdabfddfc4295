/**
 * Byte helpers of the end-to-end encryption layer, with the web platform's primitives only
 * (`btoa`/`atob`, not Buffer: the SDK runs where a phone's or a browser's JavaScript runs).
 */

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep String.fromCharCode's argument list short for large records.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Throws on text that is not base64 (callers check answers before trusting them). */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * JSON whose byte arrays survive the round trip (as `{"$b64": "..."}`): how structured records
 * (prekeys with their public halves, the SDK's bookkeeping) are kept in a key-value store.
 */
export function encodeJson(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { $b64: toBase64(v) } : v)));
}

export function decodeJson(bytes: Uint8Array): unknown {
  return JSON.parse(fromUtf8.decode(bytes), (_key, v: unknown) => {
    const encoded = typeof v === 'object' && v !== null && Object.keys(v).length === 1 ? (v as { $b64?: unknown }).$b64 : undefined;
    return typeof encoded === 'string' ? fromBase64(encoded) : v;
  });
}
