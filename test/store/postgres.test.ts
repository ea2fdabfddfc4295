import { describe } from 'vitest';
import { openDb } from '../../store/index.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { describeStoreContract } from './store.contract.js';

const available = await backendAvailable('postgres');

describe.skipIf(!available)('PostgreSQL', () => {
  describeStoreContract('PostgreSQL', async () => {
    const database = await createTestDatabase();
    const { db } = await openDb({ databaseUrl: database.url });
    return {
      db,
      close: async () => {
        await db.close();
        await database.drop();
      },
    };
  });
});
