/**
 * A device's connection ends when its token does
 * (docs/guarantees.md#a-connection-lives-no-longer-than-its-token): the broker closes it at `exp`,
 * the Will tells the device's watchers it is offline, and the expired token cannot reconnect.
 * The platform runs on a virtual clock, so the token's minute passes when the test says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../devtools/index.js';
import { createTokenService } from '../../lib/tokens.js';
import { decodeDeviceStatus, devicePresenceTopic, encodeDeviceStatus } from '../../schema/index.js';
import { TestDevice, type Observation } from '../support/device.js';
import { startTestPlatform, TEST_JWT_SECRET, type TestPlatform } from '../support/platform.js';

let clock: VirtualClock;
let platform: TestPlatform;
const devices: TestDevice[] = [];

beforeAll(async () => {
  clock = createVirtualClock(Date.now());
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' }, {}, { clock });
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.close().catch(() => undefined)));
  await platform?.stop();
});

const disconnectsFor = async (reason: string): Promise<number> =>
  (await platform.metrics.mqttDisconnects.get()).values.find((v) => v.labels['reason'] === reason)?.value ?? 0;

describe('token expiry', () => {
  it('keeps a connection until its token expires, then closes it, fires its Will, and refuses the expired token at reconnect', async () => {
    const userId = await platform.createUser('dora');
    const minuteToken = createTokenService({ secret: TEST_JWT_SECRET, ttlSeconds: 60, now: clock.now });
    const { token, expiresAtMs } = minuteToken.issue(userId, 'phone');
    const will = {
      topic: devicePresenceTopic(userId, 'phone'),
      payload: Buffer.from(encodeDeviceStatus({ online: false, heartbeatMs: 0 })),
      qos: 1 as const,
      retain: true,
    };
    const phone = await TestDevice.connect(platform.endpoints.mqtt, userId, 'phone', token, { will });
    devices.push(phone);
    const laptop = await TestDevice.connect(platform.endpoints.mqtt, userId, 'laptop', await platform.tokenFor(userId, 'laptop'));
    devices.push(laptop);
    await laptop.client.subscribeAsync(devicePresenceTopic(userId, 'phone'), { qos: 1 });

    clock.advanceTo(expiresAtMs - 1);
    await phone.client.subscribeAsync(devicePresenceTopic(userId, 'laptop'), { qos: 1 }); // a round trip: still served
    expect(await disconnectsFor('token_expired')).toBe(0);

    const closed = new Promise<void>((resolve) => phone.client.once('close', () => resolve()));
    clock.advanceTo(expiresAtMs);
    await closed;
    expect(await disconnectsFor('token_expired')).toBe(1);
    const statusOf = (o: Observation) => (o.kind === 'other' && o.topic === will.topic ? decodeDeviceStatus(o.payload) : undefined);
    await laptop.waitFor((o) => statusOf(o)?.online === false, "the phone's Will");
    expect(laptop.client.connected).toBe(true); // its token is good for a day

    await expect(TestDevice.connect(platform.endpoints.mqtt, userId, 'phone', token)).rejects.toThrow(/Not authorized/i);
  });
});
