import { describe } from 'vitest';
import { backendAvailable, openTestPostgres } from '../support/backends.js';
import { describeSendIsolation } from './send-isolation.suite.js';

const available = await backendAvailable('postgres');

describe.skipIf(!available)('PostgreSQL', () => {
  describeSendIsolation('PostgreSQL', openTestPostgres);
});
