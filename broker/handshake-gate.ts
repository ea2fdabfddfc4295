/**
 * A bound on connections that are not yet sessions: accepted sockets (on any MQTT listener,
 * TLS and WebSocket included) still in their TLS handshake, HTTP upgrade or CONNECT and
 * authentication. Each costs a file descriptor and buffers while it proves nothing, so a node
 * holds at most `maxPending` of them; one more is closed on arrival. Live sessions never count
 * against it, so a flood of half-finished handshakes cannot touch them.
 */
/** What tells one open connection from the others: its socket, or its addresses (`connectionKey`). */
export type ConnectionKey = object | string;

export interface HandshakeGate {
  /** A new connection, by a key unique among open connections; false when the bound is reached. */
  tryAdmit(key: ConnectionKey): boolean;
  /** The connection became a session, or closed: it no longer counts. Idempotent. */
  settle(key: ConnectionKey): void;
  pending(): number;
}

export function createHandshakeGate(options: { maxPending: number }): HandshakeGate {
  const pending = new Set<ConnectionKey>();
  return {
    tryAdmit(key) {
      if (pending.size >= options.maxPending) return false;
      pending.add(key);
      return true;
    },
    settle(key) {
      pending.delete(key);
    },
    pending: () => pending.size,
  };
}

/**
 * One TCP connection's identity while it is open: its local port and the peer's address and
 * port. The same for the raw socket a server accepts and the TLS socket wrapped around it, so a
 * connection admitted before its TLS handshake is recognised when it becomes an MQTT session.
 */
export function connectionKey(socket: {
  localPort?: number | undefined;
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}): string {
  return `${socket.localPort ?? '?'}|${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`;
}
