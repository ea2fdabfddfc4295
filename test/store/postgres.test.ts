import { describe } from 'vitest';
import { backendAvailable, openTestPostgres } from '../support/backends.js';
import { describeAdminStoreContract } from './admin.contract.js';
import { describeDeviceKeysContract } from './device-keys.contract.js';
import { describeStoreContract } from './store.contract.js';

const available = await backendAvailable('postgres');

describe.skipIf(!available)('PostgreSQL', () => {
  // Ten pooled connections: the concurrent-claim test races real transactions on the server.
  describeDeviceKeysContract('PostgreSQL', openTestPostgres);
  describeStoreContract('PostgreSQL', openTestPostgres);
  describeAdminStoreContract('PostgreSQL', openTestPostgres);
});
