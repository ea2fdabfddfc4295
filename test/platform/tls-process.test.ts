/**
 * The platform process with its plaintext listeners off and TLS on: the banner says where it
 * listens and that MQTT_PORT/WS_PORT are off, and SIGHUP serves renewed certificate files to new
 * connections without dropping a live one.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestDevice } from '../support/device.js';
import { spawnPart, type PartProcess } from '../support/platform-process.js';
import { rest } from '../support/rest-client.js';
import { createTestCa, fingerprintServedAt, type Certificate } from '../support/tls-certs.js';

const ADMIN_TOKEN = 'tls-process-admin-token';
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('the platform process with TLS only', () => {
  it('prints its TLS endpoints with plaintext off, and reloads its certificate on SIGHUP without dropping a connection', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chat-tls-process-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const [firstCa, secondCa] = await Promise.all([createTestCa('first CA'), createTestCa('second CA')]);
    const install = async (certificate: Certificate) => {
      await writeFile(join(dir, 'cert.pem'), certificate.certPem);
      await writeFile(join(dir, 'key.pem'), certificate.keyPem);
    };
    await install(await firstCa.issue());
    const platform: PartProcess = await spawnPart(
      'platform',
      {
        ADMIN_TOKEN,
        JWT_SECRET: 'tls-process-jwt-secret-0123456789abcdef',
        DATA_DIR: dir,
        MQTT_PORT: 'off',
        WS_PORT: 'off',
        MQTTS_PORT: '0',
        WSS_PORT: '0',
        TLS_CERT_FILE: join(dir, 'cert.pem'),
        TLS_KEY_FILE: join(dir, 'key.pem'),
      },
      /MQTT over TLS\s+(?<mqtts>mqtts:\/\/\S+)\s+MQTT over secure WS\s+(?<wss>wss:\/\/\S+)\s+REST API\s+(?<api>http:\/\/\S+)/,
    );
    cleanups.push(() => platform.stop('SIGKILL'));
    expect(platform.output()).toMatch(/MQTT over TCP\s+off \(MQTT_PORT=off\)\s+MQTT over WebSocket\s+off \(WS_PORT=off\)/);
    const { mqtts, wss, api } = platform.found as { mqtts: string; wss: string; api: string };
    expect(wss).toMatch(/\/mqtt$/);

    const userId = (await rest(api, ADMIN_TOKEN, 'POST', '/v1/users', { name: 'tls' })).json.id as string;
    const room = (await rest(api, ADMIN_TOKEN, 'POST', '/v1/rooms', { name: 'r', kind: 'group', members: [userId] })).json as {
      id: string;
    };
    const token = (await rest(api, ADMIN_TOKEN, 'POST', '/v1/tokens', { userId, deviceId: 'phone' })).json.token as string;
    const live = await TestDevice.connect(mqtts, userId, 'phone', token, { ca: firstCa.certPem });
    cleanups.push(() => live.close().catch(() => undefined));
    await live.joinRoom(room.id);

    const renewed = await secondCa.issue();
    await install(renewed);
    platform.child.kill('SIGHUP');
    const expected = new X509Certificate(renewed.certPem).fingerprint256;
    await expect.poll(() => fingerprintServedAt(mqtts), { timeout: 10_000 }).toBe(expected);
    expect(await fingerprintServedAt(wss)).toBe(expected);

    await live.send(room.id, 'after-sighup', 1, 'still connected');
    await live.waitForAck('after-sighup');
    await live.waitForMessages(room.id, 1);
    expect(platform.child.exitCode).toBeNull();
  }, 120_000);
});
