/**
 * Entry of the fleet thread (started by `signals-fleet.ts`): connects the receiving devices a
 * batch at a time, subscribes them, and counts every message they get.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { performance } from 'node:perf_hooks';
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { DeviceSpec, FromFleet, ToFleet } from './signals-fleet.js';

if (parentPort === null) throw new Error('signals-fleet-worker.ts runs as a worker thread (started by bench/signals-fleet.ts)');
const port: MessagePort = parentPort;

/** Connections opened at once: enough to be quick, few enough not to look like a connect flood. */
const CONNECT_BATCH = 50;
const CONNECT_TIMEOUT_MS = 10_000;
// Seconds (MQTT.js). Long, so no PINGREQ falls inside a measured window.
const KEEPALIVE_SECONDS = 600;
const SUBACK_REFUSED = 128;

const post = (message: FromFleet) => port.postMessage(message);
let clients: MqttClient[] = [];
let deliveries = 0;

async function connectDevice(mqttUrl: string, device: DeviceSpec): Promise<MqttClient> {
  const client = await mqtt.connectAsync(mqttUrl, {
    clientId: device.clientId,
    ...device.credentials,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    keepalive: KEEPALIVE_SECONDS,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  client.on('message', () => (deliveries += 1));
  const granted = await client.subscribeAsync(device.topics, { qos: 0 });
  const refused = granted.find((g) => g.qos === SUBACK_REFUSED);
  if (refused !== undefined) throw new Error(`${device.clientId}: subscription to ${refused.topic} refused`);
  return client;
}

async function connectAll(mqttUrl: string, devices: readonly DeviceSpec[]): Promise<void> {
  for (let i = 0; i < devices.length; i += CONNECT_BATCH) {
    const batch = await Promise.all(devices.slice(i, i + CONNECT_BATCH).map((d) => connectDevice(mqttUrl, d)));
    clients.push(...batch);
    post({ type: 'progress', connected: clients.length });
  }
}

async function handle(message: ToFleet): Promise<void> {
  switch (message.type) {
    case 'connect':
      await connectAll(message.mqttUrl, message.devices);
      return post({ type: 'connected' });
    case 'count': {
      const { idle, active } = performance.eventLoopUtilization();
      return post({ type: 'count', deliveries, loop: { idle, active } });
    }
    case 'close':
      await Promise.all(clients.map((c) => c.endAsync()));
      clients = [];
      post({ type: 'closed' });
      return port.close();
  }
}

port.on('message', (message: ToFleet) => {
  handle(message).catch((error: unknown) =>
    post({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
