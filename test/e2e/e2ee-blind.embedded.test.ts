import { describeBlindPlatform } from './e2ee-blind.suite.js';

describeBlindPlatform('PGlite', { database: 'pglite', brokerState: 'memory' });
