import { describe } from 'vitest';
import { openDb } from '../../store/index.js';
import { backendAvailable, openTestPostgres } from '../support/backends.js';
import { describeOutboxStore } from './outbox-store.suite.js';

describeOutboxStore('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});

const postgres = await backendAvailable('postgres');

describe.skipIf(!postgres)('on PostgreSQL', () => {
  describeOutboxStore('PostgreSQL', openTestPostgres);
});
