import type { Client } from 'aedes';

/** Who is on the other end of an MQTT connection, decided once at CONNECT. */
export type Identity =
  /** `tokenExpiresAtMs`: the connection is closed then (token-expiry.ts); `tokenIssuedAtMs`: checked against the deny list (token-revocations.ts). */
  { kind: 'device'; userId: string; deviceId: string; tokenExpiresAtMs: number; tokenIssuedAtMs: number } | { kind: 'service' };

export { SERVICE_USERNAME } from '../lib/service-identity.js';

const identities = new WeakMap<Client, Identity>();

export const setIdentity = (client: Client, identity: Identity): void => void identities.set(client, identity);
export const identityOf = (client: Client | null | undefined): Identity | undefined =>
  client === null || client === undefined ? undefined : identities.get(client);
