/**
 * Injected failures: the next N requests (optionally only those for one token) fail the way the
 * real services fail, so the client's retry, timeout and reconnect paths are tested on the wire.
 */

export type StubFault =
  /** Answer with this status (the provider's error body) and, when given, `Retry-After: seconds`. */
  | { kind: 'status'; status: 429 | 500 | 503; retryAfterSeconds?: number; token?: string; count?: number }
  /** Never answer; the client's timeout (or the stub's close) ends the request. */
  | { kind: 'hang'; token?: string; count?: number }
  /** Drop the connection mid-request. */
  | { kind: 'disconnect'; token?: string; count?: number }
  /** Answer 503 (APNs: `Shutdown`) and close the connection gracefully (HTTP/2 GOAWAY). */
  | { kind: 'shutdown'; token?: string; count?: number };

export interface FaultQueue {
  add(fault: StubFault): void;
  /** The fault for a request to `token`, counted as used; undefined when the request is to succeed. */
  take(token: string | undefined): StubFault | undefined;
  clear(): void;
}

export function createFaultQueue(): FaultQueue {
  let queue: { fault: StubFault; remaining: number }[] = [];
  return {
    add(fault) {
      queue.push({ fault, remaining: fault.count ?? 1 });
    },
    take(token) {
      const entry = queue.find(({ fault }) => fault.token === undefined || fault.token === token);
      if (entry === undefined) return undefined;
      entry.remaining -= 1;
      if (entry.remaining <= 0) queue = queue.filter((e) => e !== entry);
      return entry.fault;
    },
    clear() {
      queue = [];
    },
  };
}

const KINDS = new Set(['status', 'hang', 'disconnect', 'shutdown']);
const STATUSES = new Set([429, 500, 503]);

/** Reads a fault from the control surface's JSON; a string says what is wrong with it. */
export function parseFault(input: unknown): StubFault | string {
  if (typeof input !== 'object' || input === null) return 'body must be a JSON object';
  const fault = input as Record<string, unknown>;
  if (typeof fault['kind'] !== 'string' || !KINDS.has(fault['kind'])) return 'kind must be status, hang, disconnect or shutdown';
  if (fault['kind'] === 'status' && !STATUSES.has(fault['status'] as number)) return 'status must be 429, 500 or 503';
  if (fault['token'] !== undefined && typeof fault['token'] !== 'string') return 'token must be a string';
  const { count, retryAfterSeconds } = fault;
  if (count !== undefined && !(Number.isInteger(count) && (count as number) >= 1)) return 'count must be a positive integer';
  if (retryAfterSeconds !== undefined && !(Number.isInteger(retryAfterSeconds) && (retryAfterSeconds as number) >= 0)) {
    return 'retryAfterSeconds must be a non-negative integer';
  }
  return fault as StubFault;
}
