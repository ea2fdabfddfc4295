import type { Client } from 'aedes';

/** Who is on the other end of an MQTT connection, decided once at CONNECT. */
export type Identity = { kind: 'device'; userId: string; deviceId: string } | { kind: 'service' };

/** The platform's own services (a standalone bridge or api) log in with this username and the admin token. */
export const SERVICE_USERNAME = '$platform';

const identities = new WeakMap<Client, Identity>();

export const setIdentity = (client: Client, identity: Identity): void => void identities.set(client, identity);
export const identityOf = (client: Client | null | undefined): Identity | undefined =>
  client === null || client === undefined ? undefined : identities.get(client);
