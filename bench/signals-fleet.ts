/**
 * The receiving members of bench:signals: up to a thousand MQTT.js devices spread over
 * threads of their own (`signals-fleet-worker.ts`), so that parsing their deliveries neither
 * slows the typist's publishing on the main thread nor, on one thread, caps the delivery rate
 * below what the broker can do. They only count what arrives. Requests to a thread go one at a
 * time, so each answer is the answer to the only question outstanding.
 */
import { Worker } from 'node:worker_threads';

export interface DeviceSpec {
  clientId: string;
  /** Absent on the plain Aedes baseline, which has no auth. */
  credentials?: { username: string; password: string };
  /** Subscribed at QoS 0 after connecting. */
  topics: string[];
}

/** Cumulative event loop times of the fleet thread (ms), as performance.eventLoopUtilization() gives them. */
export interface LoopTimes {
  idle: number;
  active: number;
}

export type ToFleet = { type: 'connect'; mqttUrl: string; devices: DeviceSpec[] } | { type: 'count' } | { type: 'close' };
export type FromFleet =
  | { type: 'progress'; connected: number }
  | { type: 'connected' }
  | { type: 'count'; deliveries: number; loop: LoopTimes }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

export interface FleetCount {
  /** Messages received by all devices together since they connected. */
  deliveries: number;
  /** Per thread. */
  loops: LoopTimes[];
}

export interface Fleet {
  count(): Promise<FleetCount>;
  close(): Promise<void>;
}

/** Share of the time between two counts that the busiest fleet thread was busy: near 1, it may have set the pace. */
export function busiestLoopUtilization(from: FleetCount, to: FleetCount): number {
  return Math.max(
    ...to.loops.map((end, i) => {
      const start = from.loops[i]!;
      const active = end.active - start.active;
      const total = active + (end.idle - start.idle);
      return total === 0 ? 0 : active / total;
    }),
  );
}

/**
 * Node 20 does not hand tsx's loader to worker threads (see load.ts), so the worker is a
 * two-line JS bootstrap that loads the TypeScript entry through tsx's API.
 */
function startWorker(): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./signals-fleet-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(bootstrap, { eval: true });
}

/** Devices are dealt to threads in turn, so each room's members are spread over all of them. */
export async function startFleet(
  mqttUrl: string,
  devices: readonly DeviceSpec[],
  threads: number,
  onProgress: (connected: number) => void,
): Promise<Fleet> {
  const connected = new Array<number>(threads).fill(0);
  const started = await Promise.allSettled(
    Array.from({ length: threads }, (_, t) =>
      startFleetThread(
        mqttUrl,
        devices.filter((_, i) => i % threads === t),
        (n) => {
          connected[t] = n;
          onProgress(connected.reduce((sum, c) => sum + c, 0));
        },
      ),
    ),
  );
  const parts = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(parts.map((p) => p.close()));
    throw failed.reason;
  }
  return {
    async count() {
      const counts = await Promise.all(parts.map((p) => p.count()));
      return { deliveries: counts.reduce((sum, c) => sum + c.deliveries, 0), loops: counts.map((c) => c.loop) };
    },
    async close() {
      await Promise.all(parts.map((p) => p.close()));
    },
  };
}

interface FleetThread {
  count(): Promise<{ deliveries: number; loop: LoopTimes }>;
  close(): Promise<void>;
}

async function startFleetThread(mqttUrl: string, devices: DeviceSpec[], onProgress: (connected: number) => void): Promise<FleetThread> {
  const worker = startWorker();
  let onMessage: (message: FromFleet) => void = () => undefined;
  let onFailure: (error: Error) => void = () => undefined;
  let exitError: Error | undefined;
  worker.on('message', (message: FromFleet) =>
    message.type === 'failed' ? onFailure(new Error(`fleet thread: ${message.message}`)) : onMessage(message),
  );
  worker.on('error', (error) => onFailure(error));
  worker.on('exit', (code) => {
    exitError = new Error(`fleet thread exited with code ${code}`);
    onFailure(exitError);
  });

  function ask<T extends FromFleet['type']>(request: ToFleet, until: T): Promise<Extract<FromFleet, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (exitError !== undefined) return reject(exitError); // nobody would ever answer
      onMessage = (m) => {
        if (m.type === until) resolve(m as Extract<FromFleet, { type: T }>);
        else if (m.type === 'progress') onProgress(m.connected);
      };
      onFailure = reject;
      worker.postMessage(request);
    });
  }

  try {
    await ask({ type: 'connect', mqttUrl, devices }, 'connected');
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    async count() {
      const { deliveries, loop } = await ask({ type: 'count' }, 'count');
      return { deliveries, loop };
    },
    async close() {
      // The devices disconnect cleanly first; terminate() then ends the thread even if it had failed.
      await ask({ type: 'close' }, 'closed').catch(() => undefined);
      await worker.terminate();
    },
  };
}
