/**
 * The platform under test, started in-process on port 0 like the integration tests do, and
 * populated through its own admin API: N users with device tokens, spread over M rooms.
 */
import { loadConfig } from '../lib/config.js';
import { silentLogger } from '../lib/log.js';
import { createMetrics } from '../lib/metrics.js';
import { startPlatform, type Platform } from '../platform/platform.js';
import type { Db } from '../store/index.js';
import type { ClientSpec } from './load-protocol.js';

export const BENCH_DEVICE_ID = 'bench';

// Throwaway credentials of an in-process platform that listens on 127.0.0.1 only.
const SECRETS = { jwtSecret: 'bench-jwt-secret-bench-jwt-secret-0123456789', adminToken: 'bench-admin-token-0123' };

export interface BenchFixture {
  readonly platform: Platform;
  readonly clients: readonly ClientSpec[];
  /** Users in room order, for the raw ceiling's sender ids. */
  readonly userIds: readonly string[];
}

const BATCHING_VARIABLES = ['BATCH_MAX_MESSAGES', 'BATCH_MAX_WAIT_MS'] as const;

export async function startFixture(db: Db, options: { clients: number; rooms: number }): Promise<BenchFixture> {
  // The bridge's batching settings come from the environment when set, so a run can try others.
  const batching = Object.fromEntries(
    BATCHING_VARIABLES.flatMap((name) => {
      const value = process.env[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
  // Each bench device keeps a window of sends in flight at saturation: far beyond a person's send rate, which the limit is for.
  const unlimitedSends = { SEND_RATE_PER_SECOND: '100000', SEND_BURST: '100000' };
  const config = loadConfig({ ...unlimitedSends, ...batching, MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', LOG_LEVEL: 'silent' });
  const platform = await startPlatform(config, { db, secrets: SECRETS, log: silentLogger(), metrics: createMetrics() });
  try {
    const userIds: string[] = [];
    for (let i = 0; i < options.clients; i++) userIds.push(await createUser(platform, `bench-user-${i}`));
    const clients: ClientSpec[] = [];
    for (let r = 0; r < options.rooms; r++) {
      const memberIds = roomMembers(userIds, options.rooms, r);
      const room = await createRoom(platform, memberIds);
      for (const [k, userId] of memberIds.entries()) {
        const token = await issueToken(platform, userId);
        clients.push({ userId, deviceId: BENCH_DEVICE_ID, token, roomId: room.id, roomVersion: room.memberVersion, isReceiver: k === 0 });
      }
    }
    return { platform, clients, userIds };
  } catch (error) {
    await platform.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Client i belongs to room i mod M, so rooms differ in size by at most one member; the first
 * member of each room is its receiver. Shared with the plain Aedes baseline, so both see the same rooms.
 */
export function roomMembers<T>(clients: readonly T[], rooms: number, room: number): T[] {
  return clients.filter((_, i) => i % rooms === room);
}

async function admin(platform: Platform, url: string, body: object): Promise<unknown> {
  const response = await platform.api.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${platform.adminToken}` },
    payload: body,
  });
  if (response.statusCode !== 201) throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`);
  return response.json();
}

async function createUser(platform: Platform, name: string): Promise<string> {
  return ((await admin(platform, '/v1/users', { name })) as { id: string }).id;
}

async function issueToken(platform: Platform, userId: string): Promise<string> {
  return ((await admin(platform, '/v1/tokens', { userId, deviceId: BENCH_DEVICE_ID })) as { token: string }).token;
}

async function createRoom(platform: Platform, memberIds: string[]): Promise<{ id: string; memberVersion: number }> {
  return (await admin(platform, '/v1/rooms', { name: 'bench room', kind: 'group', members: memberIds })) as {
    id: string;
    memberVersion: number;
  };
}
