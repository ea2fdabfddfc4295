/** What one case came to: an outcome for the statistics and, when an oracle objected at once, a problem. */
export type FindingKind =
  | 'crash'
  | 'fd-leak'
  | 'canary'
  | 'canary-dropped'
  | 'server-error'
  | 'uncatalogued-error'
  | 'no-answer'
  | 'honest-send-refused'
  | 'connect-refused'
  | 'publish-refused'
  | 'shutdown-hang'
  /** The fuzzer itself failed (a generator threw): its cases did not run. */
  | 'harness-error';

/**
 * Findings outside what issue 9 asks of the platform (alive, no fd leaked, no 5xx, the canary
 * talks): reported, but they do not fail a run. An error body that is not `{error: {code}}`
 * from the catalogue breaks the documented REST contract, not the platform.
 */
export const WARNING_KINDS: ReadonlySet<FindingKind> = new Set(['uncatalogued-error']);

export interface CaseResult {
  outcome: string;
  problem?: { kind: FindingKind; detail: string };
}

/** CONNACK 3 (server unavailable): the platform shedding connects under load, which it may do. */
const CONNACK_SERVER_UNAVAILABLE = 3;

/**
 * The verdict on the CONNACK a lane's valid CONNECT got: undefined when accepted. Every lane's
 * token is valid, so any refusal but load shedding is the platform refusing a legitimate device.
 */
export function connectRefusal(code: number | undefined): CaseResult | undefined {
  if (code === 0) return undefined;
  if (code === undefined) return { outcome: 'auth-no-connack' };
  if (code === CONNACK_SERVER_UNAVAILABLE) return { outcome: 'auth-shed' };
  return { outcome: 'auth-refused', problem: { kind: 'connect-refused', detail: `a valid CONNECT got CONNACK ${code}` } };
}
