import { describe } from 'vitest';
import { backendAvailable } from '../support/backends.js';
import { describeDurablePath } from './durable-path.suite.js';

const available = (await backendAvailable('postgres')) && (await backendAvailable('redis'));

describe.skipIf(!available)('production backends', () => {
  describeDurablePath('PostgreSQL + Redis broker state', { database: 'postgres', brokerState: 'redis', redisDb: 2 });
});
