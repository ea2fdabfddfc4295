/**
 * The one door into what Aedes and aedes-persistence-redis do not declare in their types: members
 * of a client and of the broker that the platform reads or patches, an event, an error's wording,
 * and a module path. Every such access is here and nowhere else in the code, and
 * test/broker/aedes-internals.test.ts pins each shape against the installed versions, so an
 * upgrade that changes one fails there, loudly, instead of in production. package.json pins both
 * packages to a tilde range for the same reason.
 *
 * The hooks Aedes does declare (`authenticate`, `authorizePublish`, `preConnect`, ...) are
 * assigned where they are decided (aedes-hooks.ts, connect-gate.ts), not here.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { Aedes, AedesPublishPacket, Client, PublishPacket } from 'aedes';
import type { Redis } from 'ioredis';

/** Members of an Aedes client (aedes/lib/client.js) that its types leave out. */
interface ClientInternals {
  /** Filter → subscription (aedes/lib/handlers/subscribe.js). */
  subscriptions: Record<string, { qos: number } | undefined>;
  /** The id of the connection's next QoS 1 packet. */
  _nextId: number;
  /** The Last Will, once the connection is authenticated. */
  will: PublishPacket | null;
}

/** Members of the Aedes instance that its types leave out. */
interface BrokerInternals {
  /** Typed `any` in AedesOptions; the persistence Aedes calls (aedes-persistence's interface). */
  persistence: {
    outgoingClearMessageId(client: Client, packet: { messageId?: number }): Promise<unknown>;
    createRetainedStream(pattern: string): AsyncIterable<AedesPublishPacket>;
  };
  publish(packet: PublishPacket, ...rest: unknown[]): void;
}

const clientInternals = (client: Client): ClientInternals => client as unknown as ClientInternals;
const brokerInternals = (aedes: Aedes): BrokerInternals => aedes as unknown as BrokerInternals;

/** The QoS `client` subscribed to `topic` with as an exact filter; undefined when it has no such filter (a wildcard may still match). */
export function exactSubscriptionQos(client: Client, topic: string): number | undefined {
  return clientInternals(client).subscriptions[topic]?.qos;
}

/** MQTT packet identifiers are 1..65535 [MQTT-2.3.1-1]. */
const MAX_PACKET_ID = 65_535;

/**
 * Takes the next packet id from the client's own counter, exactly as Aedes' QoSPacket does
 * (aedes/lib/qos-packet.js): sharing the counter keeps our ids distinct from those Aedes gives the
 * connection's other QoS 1 packets, and Aedes keeps a forwarded packet's `messageId` when it has one.
 */
export function takePacketId(client: Client): number {
  const internals = clientInternals(client);
  const id = internals._nextId;
  internals._nextId = id >= MAX_PACKET_ID ? 1 : id + 1;
  return id;
}

/** Aedes hands a Last Will to authorizePublish with its client (whose `will` it still is), or with null for a dead node's client. */
export function isLastWill(client: Client | null, packet: PublishPacket): boolean {
  return client === null || clientInternals(client).will === packet;
}

/** The client id a dead node's Will carries: Aedes hands it over with a null client (aedes.js `_clearWills`). */
export function willClientId(packet: PublishPacket): string | undefined {
  const clientId = (packet as { clientId?: unknown }).clientId;
  return typeof clientId === 'string' ? clientId : undefined;
}

/** Aedes' wording for a connection that sent no CONNECT within `connectTimeout` (aedes/lib/client.js). */
export const isConnectTimeout = (error: Error): boolean => error.message === 'connect did not arrive in time';

/** Aedes emits 'error' for failures of its own background work (a Will sweep, an offline enqueue), unheard fatal to the process; its types do not declare the event. */
export function onBackgroundError(aedes: Aedes, listener: (error: Error) => void): void {
  (aedes as unknown as EventEmitter).on('error', listener);
}

/**
 * Calls `listener` with every PUBACK a client sends, before Aedes handles it. Aedes hands each to
 * its persistence's `outgoingClearMessageId(client, packet)` (aedes/lib/handlers/puback.js): the
 * one place the acknowledged packet id is visible ('ack' carries the stored packet, which clean
 * sessions never store).
 */
export function onPuback(aedes: Aedes, listener: (client: Client, messageId: number | undefined) => void): void {
  const { persistence } = brokerInternals(aedes);
  const clearMessageId = persistence.outgoingClearMessageId.bind(persistence);
  persistence.outgoingClearMessageId = (client, packet) => {
    listener(client, packet.messageId);
    return clearMessageId(client, packet);
  };
}

/**
 * Delivers the PUBLISHes `isAtMostOnce` picks at QoS 0. Aedes writes the PUBACK of a QoS 1 PUBLISH
 * before it hands the packet to `publish()` (aedes/lib/handlers/publish.js), so the QoS is lowered
 * there: lowering it in authorizePublish would cost the sender its PUBACK.
 */
export function lowerQosOnPublish(aedes: Aedes, isAtMostOnce: (packet: PublishPacket) => boolean): void {
  const internals = brokerInternals(aedes);
  const publish = internals.publish.bind(aedes);
  internals.publish = (packet, ...rest) => {
    if (isAtMostOnce(packet)) packet.qos = 0;
    publish(packet, ...rest);
  };
}

/** The retained messages whose topics match `pattern`, as the broker's persistence holds them. */
export function retainedMessages(aedes: Aedes, pattern: string): AsyncIterable<AedesPublishPacket> {
  return brokerInternals(aedes).persistence.createRetainedStream(pattern);
}

/** The parts of aedes-persistence-redis's AsyncRedisPersistence the platform calls or wraps (degradable.ts). */
export interface RedisPersistence {
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown> | Readable;
  streamWill(brokers: unknown): AsyncIterable<unknown>;
  outgoingStream(client: unknown): AsyncIterable<unknown>;
  cleanSubscriptions(client: unknown): Promise<unknown>;
  cleanIncoming(client: unknown): Promise<unknown>;
  delWill(client: unknown): Promise<unknown>;
  putWill(client: unknown, packet: unknown): Promise<unknown>;
  storeRetained(packet: unknown): Promise<unknown>;
  destroy(): Promise<void>;
}

/** Where the async class lives: the package's main export wraps it in callbacks, and Aedes 1.x requires the async one. */
export const REDIS_PERSISTENCE_MODULE = 'aedes-persistence-redis/asyncPersistence.js';

/** aedes-persistence-redis on `conn` (CommonJS, untyped). */
export function createRedisPersistence(conn: Redis): RedisPersistence {
  const require = createRequire(import.meta.url);
  const AsyncRedisPersistence = require(REDIS_PERSISTENCE_MODULE) as new (options: { conn: Redis }) => RedisPersistence;
  return new AsyncRedisPersistence({ conn });
}
