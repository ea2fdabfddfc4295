/**
 * The server stays blind in its logs: a run of every key call (uploads, refused uploads,
 * rotation, one-time keys, count, digest, claims, a refused and a rate-limited claim, listing,
 * deletion), logged at trace level, writes no byte of any key or signature in any encoding.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createSignalTestDevice } from '../support/signal-device.js';

const lines: string[] = [];
const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    { PREKEY_FETCH_BURST: '3', PREKEY_FETCH_RATE_PER_SECOND: '0.001', PREKEY_LOW_THRESHOLD: '2' },
    { log },
  );
});
afterAll(async () => platform?.stop());

/** Every base64 string in a JSON body (the keys and signatures), however deep. */
function base64Strings(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 40 && /^[A-Za-z0-9+/]+=*$/.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(base64Strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(base64Strings);
  return [];
}

/**
 * What would give a key away in a log line: its base64 (or a long prefix, or the base64 of its
 * bytes without the type byte), its hex, its bytes as JSON shows a Buffer ([5,12,...]) or a
 * Uint8Array ({"0":5,"1":12,...}).
 */
function fingerprints(b64: string): string[] {
  const bytes = Buffer.from(b64, 'base64');
  const some = [...bytes.subarray(1, 9)];
  return [
    b64.slice(0, 24),
    bytes.subarray(1, 13).toString('base64'),
    bytes.toString('hex').slice(0, 24),
    some.join(','),
    some.map((byte, i) => `"${i + 1}":${byte}`).join(','),
  ];
}

const leaks = (secrets: readonly string[]) => lines.filter((line) => secrets.some((s) => fingerprints(s).some((f) => line.includes(f))));

describe('key handling logs', () => {
  it('contain no key material at any level', async () => {
    const alice = await platform.createUser('alice');
    const bob = await platform.createUser('bob');
    const stranger = await platform.createUser('stranger');
    await platform.admin('POST', '/v1/rooms', { name: 'r', kind: 'group', members: [alice, bob], encrypted: true });
    const aliceToken = await platform.tokenFor(alice, 'phone');
    const bobToken = await platform.tokenFor(bob, 'phone');
    const signal = createSignalTestDevice(alice);
    const upload = signal.uploadBody({ ec: 3, kyber: 2 });
    const bad = { ...upload, signedPreKey: createSignalTestDevice(alice).signedPreKeyBody(1) };
    const short = { ...upload, identityKey: Buffer.from(signal.identity.publicKey.serialize()).subarray(0, 32).toString('base64') };
    const rotation = { signedPreKey: signal.signedPreKeyBody(2) };
    const more = signal.oneTimeBody({ ec: 2, kyber: 1, firstId: 10 });
    const bodies: unknown[] = [upload, bad, short, rotation, more];

    const statuses: number[] = [];
    const call = async (token: string, method: string, url: string, body?: unknown) => {
      const r = await platform.as(token, method, url, body);
      statuses.push(r.status);
      bodies.push(r.json);
    };
    await call(aliceToken, 'PUT', '/v1/devices/phone/keys', bad);
    await call(aliceToken, 'PUT', '/v1/devices/phone/keys', short);
    await call(aliceToken, 'PUT', '/v1/devices/phone/keys', upload);
    await call(aliceToken, 'PUT', '/v1/devices/phone/keys/signed', rotation);
    await call(aliceToken, 'POST', '/v1/devices/phone/keys/one-time', more);
    await call(aliceToken, 'GET', '/v1/devices/phone/keys/count');
    await call(aliceToken, 'GET', '/v1/devices/phone/keys/digest');
    await call(bobToken, 'POST', `/v1/users/${alice}/keys/claim`, {});
    await call(bobToken, 'POST', `/v1/users/${stranger}/keys/claim`, {});
    await call(bobToken, 'POST', `/v1/users/${alice}/keys/claim`, {});
    await call(bobToken, 'POST', `/v1/users/${alice}/keys/claim`, {});
    await call(bobToken, 'GET', `/v1/users/${alice}/devices`);
    await call(aliceToken, 'DELETE', '/v1/devices/phone/keys');
    expect(statuses).toEqual([400, 400, 200, 204, 200, 200, 200, 200, 403, 200, 429, 200, 204]);

    const secrets = [...new Set(bodies.flatMap(base64Strings))];
    expect(secrets.length).toBeGreaterThan(15);
    expect(lines.length).toBeGreaterThan(0); // the platform did log (start-up, the refused calls' warnings...)
    expect(leaks(secrets)).toEqual([]);
  });

  it('would notice a key if one were logged (the check is not vacuous)', () => {
    const key = createSignalTestDevice('x').uploadBody().identityKey as string;
    log.trace({ sample: Buffer.from(key, 'base64') }, 'deliberate leak');
    log.trace({ sample: new Uint8Array(Buffer.from(key, 'base64')) }, 'deliberate leak');
    log.debug({ sample: key.slice(0, 30) }, 'deliberate leak');
    log.info({ sample: Buffer.from(key, 'base64').toString('hex') }, 'deliberate leak');
    expect(leaks([key])).toHaveLength(4);
  });
});
