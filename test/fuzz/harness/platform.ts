/**
 * The platform under fuzz: `npm start`'s entry point as a child process on a fresh data folder,
 * so a crash is seen as a crash (an exit code, a signal) and its file descriptors can be counted
 * in /proc. Provisioned through its own REST API with the fuzz world and the canary's users.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenService } from '../../../lib/tokens.js';
import { spawnPart, type PartProcess } from '../../support/platform-process.js';
import type { FuzzDevice, FuzzWorld } from '../generators/world.js';
import { jsonCall } from './http.js';

const ADMIN_TOKEN = 'fuzz-admin-token-0123456789';
const JWT_SECRET = 'fuzz-jwt-secret-fuzz-jwt-secret-0123456789';
const READY =
  /MQTT over TCP\s+mqtt:\/\/[^:\s]+:(?<mqtt>\d+)[\s\S]*MQTT over WebSocket\s+ws:\/\/[^:\s]+:(?<ws>\d+)[\s\S]*REST API\s+http:\/\/[^:\s]+:(?<api>\d+)/;
/** The platform's default, set explicitly for the fuzz run. */
export const FUZZ_MAX_PAYLOAD_BYTES = 65_536;
/** How long a SIGTERM may take before the platform counts as hung (issue 9: it hung with leaked sockets). */
export const SHUTDOWN_LIMIT_MS = 15_000;

export interface PlatformPorts {
  mqtt: number;
  ws: number;
  api: number;
}

export interface CanaryUsers {
  roomId: string;
  a: FuzzDevice;
  b: FuzzDevice;
}

export interface PlatformUnderTest {
  readonly pid: number;
  readonly ports: PlatformPorts;
  readonly world: FuzzWorld;
  readonly canaryUsers: CanaryUsers;
  /** How the process ended, if it did. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The last lines the process printed (for a crash report). */
  outputTail(lines?: number): string;
  /** SIGTERM; resolves false if it had to be killed after SHUTDOWN_LIMIT_MS. */
  stop(): Promise<boolean>;
}

export async function startPlatformUnderTest(options: { lanes: number }): Promise<PlatformUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fuzz-platform-'));
  let part: PartProcess;
  try {
    // MAX_PAYLOAD_BYTES pinned: the protobuf driver tells an oversized packet's refusal from a failure by it.
    const env = { DATA_DIR: dataDir, ADMIN_TOKEN, JWT_SECRET, LOG_LEVEL: 'warn', MAX_PAYLOAD_BYTES: String(FUZZ_MAX_PAYLOAD_BYTES) };
    part = await spawnPart('platform', env, READY);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  part.child.once('exit', (code, signal) => (exit = { code, signal }));
  // A fuzz run that is interrupted must not leave its platform running.
  const killOnExit = () => {
    part.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const ports = { mqtt: Number(part.found['mqtt']), ws: Number(part.found['ws']), api: Number(part.found['api']) };
  const provisioned = await provision(ports.api, options.lanes).catch(async (error: unknown) => {
    await part.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    pid: part.child.pid!,
    ports,
    ...provisioned,
    exit: () => exit,
    outputTail: (lines = 30) => part.output().trimEnd().split('\n').slice(-lines).join('\n'),
    async stop() {
      process.off('exit', killOnExit);
      let graceful = true;
      if (exit === undefined) {
        const killer = setTimeout(() => {
          graceful = false;
          part.child.kill('SIGKILL');
        }, SHUTDOWN_LIMIT_MS);
        await part.stop('SIGTERM');
        clearTimeout(killer);
      }
      await rm(dataDir, { recursive: true, force: true });
      return graceful;
    },
  };
}

async function provision(apiPort: number, lanes: number): Promise<{ world: FuzzWorld; canaryUsers: CanaryUsers }> {
  const admin = <T>(method: string, target: string, body?: unknown) => jsonCall<T>(apiPort, ADMIN_TOKEN, method, target, body);
  const user = async (name: string) => (await admin<{ id: string }>('POST', '/v1/users', { name })).id;
  const device = async (userId: string, deviceId: string): Promise<FuzzDevice> => ({
    userId,
    deviceId,
    token: (await admin<{ token: string }>('POST', '/v1/tokens', { userId, deviceId })).token,
  });
  const room = (members: string[]) =>
    admin<{ id: string; memberVersion: number }>('POST', '/v1/rooms', { name: 'fuzz', kind: 'group', members });

  const [attacker, peer, canaryA, canaryB] = [
    await user('fuzz attacker'),
    await user('fuzz peer'),
    await user('canary a'),
    await user('canary b'),
  ];
  const attackerDevices: FuzzDevice[] = [];
  for (let lane = 0; lane < lanes; lane += 1) attackerDevices.push(await device(attacker, `lane-${lane}`));
  const fuzzRoom = await room([attacker, peer]);
  const canaryRoom = await room([canaryA, canaryB]);
  // Signed with the platform's key, but already expired: what a phone back from a long sleep presents.
  const expired = createTokenService({ secret: JWT_SECRET, ttlSeconds: -60 }).issue(attacker, 'lane-0').token;
  return {
    world: {
      attackerDevices,
      peer: await device(peer, 'peer'),
      roomId: fuzzRoom.id,
      roomVersion: fuzzRoom.memberVersion,
      unknownId: 'fuzz-no-such-id',
      adminToken: ADMIN_TOKEN,
      expiredToken: expired,
    },
    canaryUsers: { roomId: canaryRoom.id, a: await device(canaryA, 'canary'), b: await device(canaryB, 'canary') },
  };
}

/**
 * Puts attacker and peer back into the fuzz room (REST cases may have removed them) and answers
 * the room's member version now, which the next batch's sends must carry.
 */
export async function restoreMembership(platform: PlatformUnderTest): Promise<number> {
  const { world } = platform;
  for (const userId of [world.attackerDevices[0]!.userId, world.peer.userId])
    await jsonCall(platform.ports.api, world.adminToken, 'POST', `/v1/rooms/${world.roomId}/members`, { userId });
  const room = await jsonCall<{ memberVersion: number }>(platform.ports.api, world.adminToken, 'GET', `/v1/rooms/${world.roomId}`);
  return room.memberVersion;
}
