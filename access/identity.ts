/** Who is on the other end of an MQTT connection, decided once at CONNECT (by any broker: ours, or one that asks our API). */
export type Identity =
  /** `tokenExpiresAtMs`: the connection is closed then. */
  { kind: 'device'; userId: string; deviceId: string; tokenExpiresAtMs: number } | { kind: 'service' };
