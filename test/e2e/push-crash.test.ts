/**
 * docs/guarantees.md#a-push-for-a-committed-message-is-never-lost: a push recorded for a committed
 * message is never lost. The platform runs as a child process sending to the stubs in this process
 * (APNS_URL, FCM_URL and key files); it is killed with SIGKILL while pushes are in flight (some
 * requests hang), then restarted on the same data. Every message's push then arrives at least once,
 * and a push that arrives twice carries the same dedup key (and the same apns-id) both times.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApnsDelivery, DeliveryLog, FcmDelivery } from '../../push-stubs/index.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { spawnPlatform } from '../support/platform-process.js';
import { pushData, startPushStubs } from '../support/push-stubs.js';
import { rest } from '../support/rest-client.js';

const ADMIN_TOKEN = 'push-crash-admin-token';
const SECRETS = { ADMIN_TOKEN, JWT_SECRET: 'push-crash-jwt-secret-0123456789abcdef' };
const MESSAGES = 20;
const KILL_AFTER_DELIVERIES = 6;
const WAIT_MS = 60_000;
const PUSH = { PUSH_REQUEST_TIMEOUT_MS: '1000', PUSH_POLL_MS: '200', PUSH_ACK_TIMEOUT_MS: '1000', PUSH_CONCURRENCY: '4' };

/** Waits, delivery by delivery, until every seq 1..count reached `token`; resolves with all its deliveries. */
async function everySeq<D extends ApnsDelivery | FcmDelivery>(log: DeliveryLog<D>, token: string, count: number): Promise<D[]> {
  const seqs = () => new Set(log.list({ token }).map((d) => Number(pushData(d)['seq'])));
  while (seqs().size < count) await log.waitFor(log.list({ token }).length + 1, { token, timeoutMs: WAIT_MS });
  return log.list({ token });
}

function describePushCrash(name: string, environment: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>) {
  describe(`pushes survive SIGKILL mid-drain: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it(
      'delivers every message push at least once after a restart, duplicates only with the same dedup key',
      { timeout: 180_000 },
      async () => {
        const { env: backend, cleanup } = await environment();
        cleanups.push(cleanup);
        const stubs = await startPushStubs();
        cleanups.push(() => stubs.close());
        const env = { ...SECRETS, ...backend, ...(await stubs.env()), ...PUSH };
        const first = await spawnPlatform(env);
        cleanups.push(() => first.stop('SIGKILL'));

        const admin = (method: string, path: string, body?: unknown) => rest(first.apiUrl, ADMIN_TOKEN, method, path, body);
        const user = async (name: string) => (await admin('POST', '/v1/users', { name })).json.id as string;
        const jwtOf = async (userId: string) => (await admin('POST', '/v1/tokens', { userId, deviceId: 'phone' })).json.token as string;
        const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
        const apnsToken = 'cd'.repeat(32);
        const fcmToken = `crash-carol:APA91b${'y'.repeat(120)}`;
        expect(
          (await rest(first.apiUrl, await jwtOf(bob), 'PUT', '/v1/devices/phone/push', { platform: 'apns', token: apnsToken })).status,
        ).toBe(200);
        expect(
          (await rest(first.apiUrl, await jwtOf(carol), 'PUT', '/v1/devices/phone/push', { platform: 'fcm', token: fcmToken })).status,
        ).toBe(200);
        const room = (await admin('POST', '/v1/rooms', { name: 'r', kind: 'group', members: [alice, bob, carol] })).json as {
          id: string;
          memberVersion: number;
        };

        // Some requests hang, so pushes are claimed and in flight when the process dies.
        stubs.apns.injectFault({ kind: 'hang', count: 2 });
        stubs.fcm.injectFault({ kind: 'hang', count: 2 });
        const aliceJwt = await jwtOf(alice);
        const delivered = () => stubs.apns.deliveries.list().length + stubs.fcm.deliveries.list().length;
        const killed = (async () => {
          while (delivered() < KILL_AFTER_DELIVERIES) {
            const next = (log: DeliveryLog<ApnsDelivery> | DeliveryLog<FcmDelivery>) =>
              log.waitFor(log.list().length + 1, { timeoutMs: WAIT_MS });
            await Promise.race([next(stubs.apns.deliveries), next(stubs.fcm.deliveries)]);
          }
          await first.stop('SIGKILL');
        })();
        for (let i = 0; i < MESSAGES; i += 1) {
          const body = Buffer.from(`message ${i}`).toString('base64');
          const sent = await rest(first.apiUrl, aliceJwt, 'POST', `/v1/rooms/${room.id}/messages`, {
            clientMsgId: `c${i}`,
            roomVersion: room.memberVersion,
            body,
          }).catch(
            () => undefined, // the process may already be gone
          );
          if (sent === undefined || sent.status !== 201) break;
        }
        await killed;
        const deliveredBeforeKill = delivered();
        const history = await (async () => {
          const second = await spawnPlatform(env);
          cleanups.push(() => second.stop('SIGTERM'));
          return (await rest(second.apiUrl, ADMIN_TOKEN, 'GET', `/v1/rooms/${room.id}/messages?after=0&limit=500`)).json.messages as {
            seq: number;
          }[];
        })();
        expect(history.length).toBeGreaterThan(0);
        // Sends that did not commit before the kill are not messages: the client would resend them.
        const committed = history.length;
        expect(history.map((m) => m.seq)).toEqual(Array.from({ length: committed }, (_, i) => i + 1));

        const toBob = await everySeq(stubs.apns.deliveries, apnsToken, committed);
        const toCarol = await everySeq(stubs.fcm.deliveries, fcmToken, committed);
        expect(deliveredBeforeKill).toBeLessThan(2 * committed); // it died mid-drain: the rest came from the restarted process
        for (const [deliveries, userId] of [
          [toBob, bob],
          [toCarol, carol],
        ] as const) {
          for (const delivery of deliveries) {
            const data = pushData(delivery);
            expect(data['dedupKey']).toBe(`${room.id}:${String(data['seq'])}:${userId}:phone`);
          }
        }
        const apnsIds = new Map<string, Set<string>>();
        for (const d of toBob) apnsIds.set(String(d.payload['seq']), (apnsIds.get(String(d.payload['seq'])) ?? new Set()).add(d.apnsId));
        expect([...apnsIds.values()].every((ids) => ids.size === 1)).toBe(true);
      },
    );
  });
}

describePushCrash('embedded PGlite', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'chat-push-crash-'));
  return { env: { DATA_DIR: dataDir }, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
});

const postgres = await backendAvailable('postgres');
describe.skipIf(!postgres)('on PostgreSQL', () => {
  describePushCrash('PostgreSQL', async () => {
    const database = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'chat-push-crash-'));
    return {
      env: { DATA_DIR: dataDir, DATABASE_URL: database.url },
      cleanup: async () => {
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  });
});
