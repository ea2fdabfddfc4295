/**
 * The state a stub keeps per device token. Unknown tokens are active: a stub accepts any
 * well-formed token until a test or the simulator says the app was uninstalled or moved.
 */

export type StubTokenState =
  | { state: 'active' }
  /** The app was uninstalled: APNs 410 Unregistered (with the time), FCM 404 UNREGISTERED. */
  | { state: 'unregistered'; sinceMs: number }
  /** Not a token this service ever issued: APNs 400 BadDeviceToken, FCM 400 INVALID_ARGUMENT on `message.token`. */
  | { state: 'bad' }
  /** Issued for another app or sender: APNs 400 DeviceTokenNotForTopic, FCM 403 SENDER_ID_MISMATCH. */
  | { state: 'wrong-app' };

export interface TokenRegistry {
  get(token: string): StubTokenState;
  set(token: string, state: StubTokenState): void;
}

export function createTokenRegistry(): TokenRegistry {
  const states = new Map<string, StubTokenState>();
  return {
    get: (token) => states.get(token) ?? { state: 'active' },
    set(token, state) {
      if (state.state === 'active') states.delete(token);
      else states.set(token, state);
    },
  };
}

const STATES = new Set(['active', 'unregistered', 'bad', 'wrong-app']);

/** Reads `{state}` from the control surface's JSON; `sinceMs` defaults to now. */
export function parseTokenState(input: unknown, nowMs: number): StubTokenState | string {
  const state = typeof input === 'object' && input !== null ? (input as { state?: unknown }).state : undefined;
  if (typeof state !== 'string' || !STATES.has(state)) return 'state must be active, unregistered, bad or wrong-app';
  if (state === 'unregistered') return { state, sinceMs: nowMs };
  return { state } as StubTokenState;
}
