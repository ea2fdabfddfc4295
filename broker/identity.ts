import type { Client } from 'aedes';

import type { Identity } from '../access/index.js';

export type { Identity };

export { SERVICE_USERNAME } from '../lib/service-identity.js';

const identities = new WeakMap<Client, Identity>();

export const setIdentity = (client: Client, identity: Identity): void => void identities.set(client, identity);
export const identityOf = (client: Client | null | undefined): Identity | undefined =>
  client === null || client === undefined ? undefined : identities.get(client);
