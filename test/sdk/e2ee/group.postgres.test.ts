import { describe } from 'vitest';
import { backendAvailable } from '../../support/backends.js';
import { describeE2eeGroups } from './group.suite.js';

const available = await backendAvailable('postgres');

describe.skipIf(!available)('PostgreSQL', () => {
  describeE2eeGroups('PostgreSQL', { database: 'postgres', brokerState: 'memory' });
});
