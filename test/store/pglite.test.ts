import { openDb } from '../../store/index.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});
