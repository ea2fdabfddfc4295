import { describe } from 'vitest';
import { backendAvailable } from '../support/backends.js';
import { describePushPath } from './push.suite.js';

const available = (await backendAvailable('postgres')) && (await backendAvailable('redis'));

describe.skipIf(!available)('production backends', () => {
  describePushPath('PostgreSQL + Redis broker state', { database: 'postgres', brokerState: 'redis', redisDb: 7 });
});
