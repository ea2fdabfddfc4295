import { describe } from 'vitest';
import { openDb } from '../../store/index.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { describeOutboxStore } from './outbox-store.suite.js';

describeOutboxStore('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});

const postgres = await backendAvailable('postgres');

describe.skipIf(!postgres)('on PostgreSQL', () => {
  describeOutboxStore('PostgreSQL', async () => {
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
