/**
 * A device whose network silently drops everything (a half-open connection: no FIN, no RST)
 * goes offline within 1.5 times its keepalive: the broker closes a connection it has heard
 * nothing from for that long [MQTT-3.1.2-24], and the presence of its user follows. The device
 * here is a raw client behind a relay that black-holes both directions, so neither end closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePresence, inboxTopic, presenceTopic } from '../../schema/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { subscribeOverTcp } from '../support/raw-mqtt.js';
import { startTcpProxy, type TcpProxy } from '../sdk/support/tcp-proxy.js';

const KEEPALIVE_SECONDS = 2;
/** Time for the broker to notice, update the presence store and publish, beyond the keepalive bound itself. */
const ANNOUNCE_ALLOWANCE_MS = 1_000;

let platform: TestPlatform;
let proxy: TcpProxy;
beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
  proxy = await startTcpProxy(platform.endpoints.mqtt);
});
afterAll(async () => {
  await proxy?.close();
  await platform?.stop();
});

describe('a half-open device connection', () => {
  it(`goes offline within 1.5 x its keepalive (${KEEPALIVE_SECONDS} s) once its network drops everything`, async () => {
    const [deviceUser, watcherUser] = [await platform.createUser('half-open'), await platform.createUser('watcher')];
    await platform.createRoom([deviceUser, watcherUser]);
    const watcher = await TestDevice.connect(platform.endpoints.mqtt, watcherUser, 'phone', await platform.tokenFor(watcherUser, 'phone'));
    await watcher.client.subscribeAsync(presenceTopic(deviceUser), { qos: 0 });
    const presence = (online: boolean) =>
      watcher.waitFor((o) => o.kind === 'other' && o.topic === presenceTopic(deviceUser) && decodePresence(o.payload).online === online);

    const device = await subscribeOverTcp(
      proxy.url,
      { userId: deviceUser, deviceId: 'phone', token: await platform.tokenFor(deviceUser, 'phone'), keepaliveSeconds: KEEPALIVE_SECONDS },
      inboxTopic(deviceUser),
    );
    await presence(true);
    const timeoutsBefore =
      (await platform.metrics.mqttDisconnects.get()).values.find((v) => v.labels['reason'] === 'keepalive_timeout')?.value ?? 0;

    // The broker last heard from the device no later than now: its bound runs from here at the latest.
    const droppedAt = performance.now();
    proxy.blackhole();
    await presence(false);
    const offlineAfterMs = performance.now() - droppedAt;
    console.log(
      `half-open device offline ${offlineAfterMs.toFixed(0)} ms after its network went silent (keepalive ${KEEPALIVE_SECONDS} s)`,
    );

    expect(offlineAfterMs).toBeLessThan(1.5 * KEEPALIVE_SECONDS * 1000 + ANNOUNCE_ALLOWANCE_MS);
    const timeouts = (await platform.metrics.mqttDisconnects.get()).values.find((v) => v.labels['reason'] === 'keepalive_timeout')?.value;
    expect(timeouts).toBe(timeoutsBefore + 1);
    device.destroy();
    await watcher.close();
  });
});
