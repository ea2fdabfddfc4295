/**
 * The messages between the platform's thread and the thread that runs PGlite
 * (pglite-worker-thread.ts), and how binary values cross between them. The worker is a plain
 * executor: it runs each request to the end, in arrival order, and answers it; which requests
 * may be in flight together (a transaction holds the connection) is decided on the platform's
 * side, in pglite-db.ts.
 */

/** The OS name of the worker thread (Linux: `top -H`, `ps -L`, /proc/<pid>/task/<tid>/comm). */
export const PGLITE_THREAD_NAME = 'pglite';

export interface PgliteWorkerSetup {
  /** PGlite's files; undefined keeps the database in the worker's memory. */
  dataDir: string | undefined;
  /** Extra `-c name=value` start parameters (on top of PGlite's defaults). */
  settings: Readonly<Record<string, string>>;
}

export type ToWorker =
  | { type: 'query'; id: number; sql: string; params: readonly unknown[] }
  | { type: 'exec'; id: number; sql: string }
  | { type: 'close'; id: number };

/** A failure as plain data: structured clone keeps only an Error's message, and callers need the SQLSTATE `code` and its fields. */
export interface WorkerError {
  name: string;
  message: string;
  /** String fields of the driver's error (`code`, `detail`, `constraint`, ...). */
  fields: Record<string, string>;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'boot-failed'; error: WorkerError }
  | { type: 'result'; id: number; rows: Record<string, unknown>[] }
  | { type: 'failed'; id: number; error: WorkerError };

/** `error` as plain data, whatever was thrown. */
export function toWorkerError(error: unknown): WorkerError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(error)) if (typeof value === 'string') fields[key] = value;
  return { name: error.name, message: error.message, fields };
}

/** The Error a caller sees: the driver's fields back on it, so classifyDbError reads the SQLSTATE as with PGlite in process. */
export function fromWorkerError(error: WorkerError): Error {
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return Object.assign(rebuilt, error.fields);
}

/**
 * Binary values (Uint8Array, Buffer) in `values` (nested arrays included) copied into one new
 * ArrayBuffer, to be transferred with the message instead of cloned. Structured clone copies a
 * view's whole backing store: a 200-byte body sliced from a socket read would carry the read's
 * 64 KiB with it. The caller's buffers are left alone (they may still be in use, e.g. for the
 * delivery of the message being stored). Returns the values with views on the new buffer and
 * the transfer list (empty when there is nothing binary).
 */
export function packBinary(values: readonly unknown[]): { values: unknown[]; transfer: ArrayBuffer[] } {
  let totalBytes = 0;
  const measure = (value: unknown): void => {
    if (value instanceof Uint8Array) totalBytes += value.byteLength;
    else if (Array.isArray(value)) for (const item of value) measure(item);
  };
  for (const value of values) measure(value);
  if (totalBytes === 0) return { values: [...values], transfer: [] };
  const packed = new ArrayBuffer(totalBytes);
  let offset = 0;
  const repack = (value: unknown): unknown => {
    if (value instanceof Uint8Array) {
      const view = new Uint8Array(packed, offset, value.byteLength);
      view.set(value);
      offset += value.byteLength;
      return view;
    }
    return Array.isArray(value) ? value.map(repack) : value;
  };
  return { values: values.map(repack), transfer: [packed] };
}

/**
 * The ArrayBuffers of the binary values in result rows (bytea columns and arrays of them) that
 * can be handed over whole: each value owns its buffer exactly (see the worker's bytea parser),
 * and each buffer is listed once.
 */
export function transferablesOf(rows: readonly Record<string, unknown>[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (value: unknown): void => {
    if (value instanceof Uint8Array) {
      const owns = value.buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
      if (owns) buffers.add(value.buffer);
    } else if (Array.isArray(value)) for (const item of value) visit(item);
  };
  for (const row of rows) for (const key in row) visit(row[key]);
  return [...buffers];
}
