/** Who is on the other end of an MQTT connection, decided once at CONNECT (by any broker: ours, or one that asks our API). */
export type Identity =
  /** `tokenExpiresAtMs`: the connection is closed then; `tokenIssuedAtMs`: checked against the deny list (broker/token-revocations.ts). */
  { kind: 'device'; userId: string; deviceId: string; tokenExpiresAtMs: number; tokenIssuedAtMs: number } | { kind: 'service' };
