import { describe } from 'vitest';
import { backendAvailable } from '../support/backends.js';
import { describeBlindPlatform } from './e2ee-blind.suite.js';

const available = (await backendAvailable('postgres')) && (await backendAvailable('redis'));

describe.skipIf(!available)('production backends', () => {
  describeBlindPlatform('PostgreSQL + Redis broker state', { database: 'postgres', brokerState: 'redis', redisDb: 5 });
});
