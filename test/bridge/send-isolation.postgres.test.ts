import { describe } from 'vitest';
import { openDb } from '../../store/index.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { describeSendIsolation } from './send-isolation.suite.js';

const available = await backendAvailable('postgres');

describe.skipIf(!available)('PostgreSQL', () => {
  describeSendIsolation('PostgreSQL', async () => {
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
