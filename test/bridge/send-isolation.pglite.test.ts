import { openDb } from '../../store/index.js';
import { describeSendIsolation } from './send-isolation.suite.js';

describeSendIsolation('PGlite (in memory)', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});
