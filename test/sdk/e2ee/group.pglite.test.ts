import { describeE2eeGroups } from './group.suite.js';

describeE2eeGroups('PGlite, in-memory broker state', { database: 'pglite', brokerState: 'memory' });
