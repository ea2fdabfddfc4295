import { openDb } from '../../store/index.js';
import { describeAdminStoreContract } from './admin.contract.js';
import { describeDeviceKeysContract } from './device-keys.contract.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});

describeDeviceKeysContract('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});

describeAdminStoreContract('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});
