import { describe } from 'vitest';
import { openDb } from '../../store/index.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { describeAdminStoreContract } from './admin.contract.js';
import { describeDeviceKeysContract } from './device-keys.contract.js';
import { describeStoreContract } from './store.contract.js';

const available = await backendAvailable('postgres');

async function openTestDatabase() {
  const database = await createTestDatabase();
  const { db } = await openDb({ databaseUrl: database.url });
  return {
    db,
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}

describe.skipIf(!available)('PostgreSQL', () => {
  // Ten pooled connections: the concurrent-claim test races real transactions on the server.
  describeDeviceKeysContract('PostgreSQL', openTestDatabase);
  describeStoreContract('PostgreSQL', openTestDatabase);
  describeAdminStoreContract('PostgreSQL', openTestDatabase);
});
