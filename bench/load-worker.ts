/**
 * Entry of the load thread (started by `load.ts`): connects the simulated devices, runs the
 * phases the main thread asks for one at a time, and reports progress and results.
 */
import { randomBytes } from 'node:crypto';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { connectLoadClient, type LoadClient } from './load-clients.js';
import type { FromLoad, LoadSetup, ToLoad } from './load-protocol.js';
import { runPhase } from './load-phases.js';
import type { PhaseTracker } from './load-tracker.js';
import { LOAD_THREAD_NAME, nameThisThread } from './thread-cpu.js';

if (parentPort === null) throw new Error('load-worker.ts runs as a worker thread (started by bench/load.ts)');
const port: MessagePort = parentPort;
nameThisThread(LOAD_THREAD_NAME);

const post = (message: FromLoad) => port.postMessage(message);
let clients: LoadClient[] = [];
let tracker: PhaseTracker | undefined;

async function setUp(setup: LoadSetup): Promise<void> {
  // Random bytes: incompressible, so neither MQTT nor the database gets a cheaper row than a real one.
  const body = randomBytes(setup.bodyBytes);
  clients = await Promise.all(
    setup.clients.map((spec, index) => connectLoadClient(setup.target, setup.mqttUrl, spec, index, body, () => tracker)),
  );
}

async function handle(message: ToLoad): Promise<void> {
  switch (message.type) {
    case 'setup':
      await setUp(message.setup);
      return post({ type: 'ready' });
    case 'phase': {
      const result = await runPhase({ clients, setTracker: (t) => (tracker = t), post }, message.spec);
      return post({ type: 'result', result });
    }
    case 'close':
      await Promise.all(clients.map((c) => c.close()));
      clients = [];
      post({ type: 'closed' });
      return port.close();
  }
}

port.on('message', (message: ToLoad) => {
  handle(message).catch((error: unknown) =>
    post({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
