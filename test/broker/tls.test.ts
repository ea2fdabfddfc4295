/**
 * MQTT over TLS and over secure WebSocket, with certificates made for the test by openssl: a
 * client that trusts the test CA connects and chats, one that trusts another CA is refused, and
 * a reload serves renewed certificate files to new connections while live ones stay up.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { silentLogger } from '../../lib/log.js';
import { startPlatform } from '../../platform/platform.js';
import { openDb } from '../../store/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createTestCa, fingerprintServedAt, type Certificate, type TestCa } from '../support/tls-certs.js';

let dir: string;
let platform: TestPlatform;
let firstCa: TestCa;
let secondCa: TestCa;
let first: Certificate;
const files = () => ({ cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
const install = async (certificate: Certificate) => {
  await writeFile(files().cert, certificate.certPem);
  await writeFile(files().key, certificate.keyPem);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chat-tls-'));
  [firstCa, secondCa] = await Promise.all([createTestCa('first CA'), createTestCa('second CA')]);
  first = await firstCa.issue();
  await install(first);
  platform = await startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    { TLS_CERT_FILE: files().cert, TLS_KEY_FILE: files().key, MQTTS_PORT: '0', WSS_PORT: '0', MAX_PENDING_CONNECTS: '3' },
  );
});
afterAll(async () => {
  await platform?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function member(name: string) {
  const userId = await platform.createUser(name);
  return { userId, room: await platform.createRoom([userId]) };
}

/** Connects over `url` trusting `ca`, sends a message to its own room and waits for the Ack and the delivery. */
async function chatOver(url: string, ca: string, name: string): Promise<{ device: TestDevice; roomId: string }> {
  const { userId, room } = await member(name);
  const device = await TestDevice.connect(url, userId, 'phone', await platform.tokenFor(userId, 'phone'), { ca });
  await device.joinRoom(room.id);
  await device.send(room.id, `${name}-1`, room.memberVersion, 'over TLS');
  await device.waitForAck(`${name}-1`);
  await device.waitForMessages(room.id, 1);
  return { device, roomId: room.id };
}

describe('TLS listeners', () => {
  it('serve MQTT over mqtts:// and wss:// to clients that trust the CA', async () => {
    const { mqtts, wss } = platform.endpoints;
    expect(mqtts).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(wss).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    await (await chatOver(mqtts!, firstCa.certPem, 'over-mqtts')).device.close();
    await (await chatOver(wss!, firstCa.certPem, 'over-wss')).device.close();
  });

  it('count a connection against MAX_PENDING_CONNECTS only until its session is authenticated', async () => {
    const { mqtts, wss } = platform.endpoints;
    // Three pending handshakes at most here: five live sessions fit only if each stopped counting once authenticated.
    const sessions = [];
    for (const [i, url] of [mqtts!, wss!, mqtts!, wss!, mqtts!].entries()) sessions.push(await chatOver(url, firstCa.certPem, `live-${i}`));
    await Promise.all(sessions.map(({ device }) => device.close()));
  });

  it('are refused by clients that trust another CA', async () => {
    const { userId } = await member('wrong-ca');
    const token = await platform.tokenFor(userId, 'phone');
    for (const url of [platform.endpoints.mqtts!, platform.endpoints.wss!]) {
      await expect(TestDevice.connect(url, userId, 'phone', token, { ca: secondCa.certPem })).rejects.toThrow(/certificate/i);
    }
  });

  it('serve renewed certificate files to new connections after a reload, while live connections stay up', async () => {
    const { mqtts, wss } = platform.endpoints;
    const live = await chatOver(mqtts!, firstCa.certPem, 'before-reload');
    const liveWs = await chatOver(wss!, firstCa.certPem, 'before-reload-ws');

    const renewed = await secondCa.issue();
    await install(renewed);
    await platform.broker.reloadTls();

    const expected = new X509Certificate(renewed.certPem).fingerprint256;
    expect([await fingerprintServedAt(mqtts!), await fingerprintServedAt(wss!)]).toEqual([expected, expected]);
    await (await chatOver(mqtts!, secondCa.certPem, 'after-reload')).device.close();
    await (await chatOver(wss!, secondCa.certPem, 'after-reload-ws')).device.close();
    // The connections made with the old certificate were not dropped: they still send and receive.
    for (const [{ device, roomId }, name] of [
      [live, 'before-reload'],
      [liveWs, 'before-reload-ws'],
    ] as const) {
      await device.send(roomId, `${name}-2`, 1, 'still here');
      await device.waitForAck(`${name}-2`);
      await device.waitForMessages(roomId, 2);
      await device.close();
    }
  });

  it('keep the certificate they have when the renewed files are unusable', async () => {
    const before = await fingerprintServedAt(platform.endpoints.mqtts!);
    await writeFile(files().key, 'not a key');
    await expect(platform.broker.reloadTls()).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    expect(await fingerprintServedAt(platform.endpoints.mqtts!)).toBe(before);
  });

  it('do not start with unusable certificate files: one error naming the variable', async () => {
    const { db } = await openDb({});
    const config = loadConfig({
      MQTT_PORT: '0',
      WS_PORT: '0',
      API_PORT: '0',
      MQTTS_PORT: '0',
      WSS_PORT: '0',
      TLS_CERT_FILE: join(dir, 'missing.pem'),
      TLS_KEY_FILE: files().key,
    });
    const starting = startPlatform(config, {
      db,
      secrets: { jwtSecret: 'x'.repeat(32), adminToken: 'tls-admin-token' },
      log: silentLogger(),
    });
    await expect(starting).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', details: { variable: 'TLS_CERT_FILE' } });
    await db.close();
  });
});
