import { describeDurablePath } from './durable-path.suite.js';

describeDurablePath('PGlite + in-memory broker (the embedded default)', { database: 'pglite', brokerState: 'memory' });
