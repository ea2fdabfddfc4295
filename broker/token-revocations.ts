/**
 * Revoked tokens on a broker node: a device whose token is on the deny list is refused at CONNECT
 * (CONNACK 5), and one connected when its token is revoked is disconnected at once.
 *
 * The node learns revocations two ways. At once: the API publishes a notice on
 * TOKEN_REVOCATION_TOPIC after the row commits, which reaches every node (in process, and across
 * nodes through the broker's shared bus). And as a safety net: every `refreshMs` the node re-reads
 * the rows changed since its last look, so a notice lost on the way (Redis down between nodes, an
 * API that crashed after its commit) costs at most that long. Until the list has been read once,
 * device CONNECTs are answered CONNACK 3 (server unavailable, retry): a node that cannot read it
 * must not let revoked tokens in.
 */
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import type { Clock, TimerHandle } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { ALL_DEVICES, TOKEN_REVOCATION_TOPIC, decodeTokenRevocation, type TokenRevocation } from '../schema/index.js';
import { createDenyList } from './deny-list.js';
import { identityOf } from './identity.js';

/** The deny list in the database (store/token-denials.ts). */
export interface TokenDenialSource {
  /** Rows recorded at or after `sinceMs` on the database's clock (all without it), and that clock now. */
  read(sinceMs?: number): Promise<{ denials: TokenRevocation[]; readAtMs: number }>;
}

/** A CONNECT refused because of the deny list. */
export interface TokenRefusal {
  returnCode: 3 | 5;
  reason: string;
}

export interface RevocableDevice {
  userId: string;
  deviceId: string;
  tokenIssuedAtMs: number;
}

export interface TokenRevocations {
  /** Why this device may not connect with its token, if it may not. */
  refusal(device: RevocableDevice): TokenRefusal | undefined;
  /** Reads the deny list, then follows the notices and this node's connections. */
  follow(aedes: Aedes): Promise<void>;
  close(): void;
}

export interface TokenRevocationDeps {
  source: TokenDenialSource;
  /** Ends a connection whose token was revoked (and says so in the metrics). */
  revoked(client: Client): void;
  /** Times the periodic re-read. */
  clock: Clock;
  log: Logger;
}

/** A row's timestamp is taken before its transaction commits: rows up to this much older than the last look are read again. */
const READ_OVERLAP_MS = 60_000;

const CONNACK_SERVER_UNAVAILABLE = 3;
const CONNACK_NOT_AUTHORIZED = 5;

export function createTokenRevocations(deps: TokenRevocationDeps, options: { refreshMs: number }): TokenRevocations {
  const { log } = deps;
  const denied = createDenyList();
  /**
   * This node's device connections, by user: the connection itself while the user has one here
   * (most do), a set beyond, so that a connection does not cost a Set for as long as it lives.
   */
  const connected = new Map<string, Client | Set<Client>>();
  const clientsOf = (userId: string): Iterable<Client> => {
    const held = connected.get(userId);
    return held === undefined ? [] : held instanceof Set ? [...held] : [held];
  };
  let readAtMs: number | undefined;
  let timer: TimerHandle | undefined;
  let closed = false;

  const isRevoked = (device: RevocableDevice): boolean => device.tokenIssuedAtMs < denied.notBeforeMs(device.userId, device.deviceId);

  function deviceOf(client: Client): RevocableDevice | undefined {
    const identity = identityOf(client);
    return identity?.kind === 'device' ? identity : undefined;
  }

  /** Adds a revocation; the devices of this node it concerns go at once. */
  function apply(revocation: TokenRevocation): void {
    if (!denied.add(revocation)) return;
    for (const client of clientsOf(revocation.userId)) {
      const device = deviceOf(client);
      const isConcerned = revocation.deviceId === ALL_DEVICES || device?.deviceId === revocation.deviceId;
      if (device !== undefined && isConcerned && isRevoked(device)) deps.revoked(client);
    }
  }

  async function read(): Promise<void> {
    const changes = await deps.source.read(readAtMs === undefined ? undefined : readAtMs - READ_OVERLAP_MS);
    for (const revocation of changes.denials) apply(revocation);
    readAtMs = changes.readAtMs;
  }

  function scheduleRead(): void {
    if (closed) return;
    // The next read is armed when this one ends: a slow database never has two reads in flight.
    timer = deps.clock.setTimeout(() => {
      read()
        .catch((error: unknown) => log.warn({ err: (error as Error).message }, 'token deny list not re-read: keeping the last one'))
        .finally(scheduleRead);
    }, options.refreshMs);
  }

  function connectedClient(client: Client): void {
    const device = deviceOf(client);
    if (device === undefined) return;
    const held = connected.get(device.userId);
    if (held === undefined) connected.set(device.userId, client);
    else if (held instanceof Set) held.add(client);
    else connected.set(device.userId, new Set([held, client]));
    // Revoked between its CONNECT's check and now (the notice found no connection to end yet).
    if (isRevoked(device)) deps.revoked(client);
  }

  function disconnected(client: Client): void {
    const device = deviceOf(client);
    const held = device === undefined ? undefined : connected.get(device.userId);
    if (device === undefined || held === undefined) return;
    if (held === client) return void connected.delete(device.userId);
    if (!(held instanceof Set)) return;
    held.delete(client);
    const [only] = held;
    if (held.size === 1) connected.set(device.userId, only!);
  }

  function notice(packet: AedesPublishPacket): void {
    const revocation = decodeTokenRevocation(packet.payload as Buffer);
    if (revocation === undefined) return log.warn({ topic: packet.topic }, 'undecodable token revocation notice');
    apply(revocation);
  }

  return {
    refusal(device) {
      if (readAtMs === undefined) return { returnCode: CONNACK_SERVER_UNAVAILABLE, reason: 'token deny list not read yet' };
      return isRevoked(device) ? { returnCode: CONNACK_NOT_AUTHORIZED, reason: 'token revoked' } : undefined;
    },
    async follow(aedes) {
      aedes.on('client', connectedClient);
      aedes.on('clientDisconnect', disconnected);
      await new Promise<void>((resolve) =>
        aedes.subscribe(
          TOKEN_REVOCATION_TOPIC,
          (packet, done) => {
            notice(packet);
            done();
          },
          resolve,
        ),
      );
      await read().then(
        () => log.debug({ denials: denied.size() }, 'token deny list read'),
        (error: unknown) =>
          log.error({ err: (error as Error).message }, 'token deny list not read: devices are refused (CONNACK 3) until it is'),
      );
      scheduleRead();
    },
    close() {
      closed = true;
      if (timer !== undefined) deps.clock.clearTimeout(timer);
    },
  };
}
