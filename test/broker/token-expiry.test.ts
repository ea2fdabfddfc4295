/**
 * A device's connection ends when its token does
 * (docs/guarantees.md#a-connection-lives-no-longer-than-its-token): the broker closes it at `exp`,
 * the Will tells the device's watchers it is offline, and the expired token cannot reconnect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../lib/tokens.js';
import { decodeDeviceStatus, devicePresenceTopic, encodeDeviceStatus } from '../../schema/index.js';
import { TestDevice, type Observation } from '../support/device.js';
import { startTestPlatform, TEST_JWT_SECRET, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
const devices: TestDevice[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.close().catch(() => undefined)));
  await platform?.stop();
});

/** A token the platform accepts that expires `inMs` from now (JWT `exp` has whole seconds). */
function tokenExpiringSoon(userId: string, deviceId: string, inMs: number): { token: string; expiresAtMs: number } {
  const TTL_SECONDS = 60;
  const shifted = createTokenService({
    secret: TEST_JWT_SECRET,
    ttlSeconds: TTL_SECONDS,
    now: () => Date.now() + inMs - TTL_SECONDS * 1000,
  });
  return shifted.issue(userId, deviceId);
}

describe('token expiry', () => {
  it('closes a connection when its token expires, fires its Will, and refuses the expired token at reconnect', async () => {
    const userId = await platform.createUser('dora');
    const { token, expiresAtMs } = tokenExpiringSoon(userId, 'phone', 1_500);
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

    await new Promise<void>((resolve) => phone.client.once('close', () => resolve()));
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAtMs);
    const statusOf = (o: Observation) => (o.kind === 'other' && o.topic === will.topic ? decodeDeviceStatus(o.payload) : undefined);
    await laptop.waitFor((o) => statusOf(o)?.online === false, "the phone's Will");
    expect(laptop.client.connected).toBe(true); // its token is good for a day

    await expect(TestDevice.connect(platform.endpoints.mqtt, userId, 'phone', token)).rejects.toThrow(/Not authorized/i);
  });
});
