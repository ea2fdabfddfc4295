import { describePushPath } from './push.suite.js';

describePushPath('PGlite + in-memory broker (the embedded default)', { database: 'pglite', brokerState: 'memory' });
