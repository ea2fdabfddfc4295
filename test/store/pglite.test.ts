import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../store/index.js';
import { describeAdminStoreContract } from './admin.contract.js';
import { describeDeviceKeysContract } from './device-keys.contract.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});

// The embedded default (`npm start`): files in a data directory, created on first open.
describeStoreContract('PGlite (files)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pglite-contract-'));
  const { db } = await openDb({ pgliteDir: join(dir, 'pglite') });
  return {
    db,
    close: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeDeviceKeysContract('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});

describeAdminStoreContract('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});
