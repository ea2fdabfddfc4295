/**
 * The client's connection status as a discriminated union with `{code, reason}` on every
 * transition (centrifuge-js's reconnect state machine). Listeners hear a status only when it
 * differs from the previous one.
 */

/** Why the client is connected: the first session since connect(), or a new one after a loss. */
export type ConnectedCode =
  | 'connected' // the first session since the app called connect()
  | 'reconnected'; // a later one, after the previous session was lost

/** Why the client is (re)connecting; all of these are retried. */
export type ConnectingCode =
  | 'connect' // the app called connect()
  | 'network_error' // the socket failed or was closed by the network or the broker
  | 'connect_timeout' // no CONNACK in time
  | 'server_unavailable' // CONNACK 3: the broker sheds load
  | 'ping_timeout'; // no PINGRESP in time: the NAT mapping is gone

/** Why the client stopped; nothing is retried until the app calls connect() again. */
export type DisconnectCode =
  | 'idle' // connect() not called yet
  | 'unauthorized' // CONNACK 4/5 or REST 401: the token is bad or expired; refresh it, then connect()
  | 'refused' // any other CONNACK refusal (protocol, client id, keepalive above the broker's limit): a configuration error
  | 'closed'; // the app called close()

/** How the client is connected: MQTT (over WebSocket, or TCP in Node), or the SSE fallback (Server-Sent Events down, HTTP POST up). */
export type TransportKind = 'mqtt' | 'sse';

export type ClientStatus =
  /** The next attempt goes out after `delayMs`; `attempt` attempts failed in a row before it (0: the first). */
  | { state: 'connecting'; attempt: number; delayMs: number; code: ConnectingCode; reason: string }
  | { state: 'connected'; code: ConnectedCode; reason: string; transport: TransportKind }
  | { state: 'disconnected'; code: DisconnectCode; reason: string };

export interface StatusCell {
  get(): ClientStatus;
  /** Stores `next` and calls `onChange` with it, unless it equals the current status. */
  set(next: ClientStatus): void;
}

export function createStatusCell(initial: ClientStatus, onChange: (status: ClientStatus) => void): StatusCell {
  let current = initial;
  return {
    get: () => current,
    set(next) {
      if (sameStatus(current, next)) return;
      current = next;
      onChange(next);
    },
  };
}

/** Statuses are flat records of primitives, so field-by-field equality is equality. */
function sameStatus(a: ClientStatus, b: ClientStatus): boolean {
  const aFields = Object.entries(a);
  return (
    aFields.length === Object.keys(b).length && aFields.every(([key, value]) => (b as unknown as Record<string, unknown>)[key] === value)
  );
}
