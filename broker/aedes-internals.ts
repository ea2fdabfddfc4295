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
import type { Socket } from 'node:net';
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
  /** mqtt-packet's parser of the connection; it keeps the CONNECT packet as `settings` (mqtt-packet/parser.js `_parseConnect`). */
  _parser: { settings?: { password?: Buffer | undefined } };
}

/** Members of the Aedes instance that its types leave out. */
interface BrokerInternals {
  /** Typed `any` in AedesOptions; the persistence Aedes calls (aedes-persistence's interface). */
  persistence: {
    outgoingClearMessageId(client: Client, packet: { messageId?: number }): Promise<unknown>;
    createRetainedStream(pattern: string): AsyncIterable<AedesPublishPacket>;
    storeRetained(packet: unknown): Promise<unknown>;
  };
  publish(packet: PublishPacket, ...rest: unknown[]): void;
  /** Connected clients by client id (aedes.js). */
  clients: Record<string, Client | undefined>;
  /** Called when a CONNECT has passed every step; takes the client id over from an earlier client (aedes.js). */
  registerClient(client: Client): void;
  /** Called by a closing client that was authorised (aedes/lib/client.js `close`). */
  unregisterClient(client: Client): void;
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

/**
 * Lets go of the CONNECT's password once the connection is authenticated. The connection's parser
 * keeps its CONNECT packet for the connection's life (it reads the protocol version from it), and
 * the password in it is a slice of the chunk the CONNECT arrived in: with a JWT as password that
 * kept the whole chunk (about 0.8 KiB) and the token itself in memory per idle connection, for no
 * use. Aedes reads the password only in its authenticate step (aedes/lib/handlers/connect.js).
 */
export function forgetConnectPassword(client: Client): void {
  const settings = clientInternals(client)._parser.settings;
  if (settings?.password !== undefined) settings.password = undefined;
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

/**
 * Keeps the newest connection of a client id. Aedes lets whichever CONNECT finishes its steps
 * last take the id over (aedes.js `registerClient`), and those steps are asynchronous
 * (authentication, persistence). In a reconnect storm a phone gives up on a connection whose
 * CONNECT is still being worked on and opens another; when the abandoned one finishes second it
 * closes the live session, and the phone must reconnect once more (bench:reconnect counted
 * 34-617 such drops per 1,000 phones). Here a connection accepted before the registered one is
 * closed instead, without its Will (the device is alive on the newer one).
 *
 * It also keeps a closing client from unregistering another: Aedes deletes `clients[id]` for
 * any authorised client that closes (aedes/lib/client.js `close`), so an older connection closing
 * after a newer one registered removed the newer one from the registry, where the next takeover
 * could no longer find and close it.
 */
export function keepNewestConnection(
  aedes: Aedes,
  on: { refused(client: Client): void; takenOver(previous: Client, by: Client): void },
): void {
  const internals = brokerInternals(aedes);
  const acceptOrder = new WeakMap<Client, number>();
  let accepted = 0;
  const handle = aedes.handle.bind(aedes);
  aedes.handle = (stream, request) => {
    const client = handle(stream, request);
    acceptOrder.set(client, ++accepted);
    return client;
  };
  const register = internals.registerClient.bind(aedes);
  internals.registerClient = (client) => {
    const current = internals.clients[client.id];
    const isOlder = current !== undefined && current !== client && (acceptOrder.get(current) ?? 0) > (acceptOrder.get(client) ?? 0);
    if (!isOlder) {
      if (current !== undefined && current !== client) on.takenOver(current, client);
      return register(client);
    }
    clientInternals(client).will = null;
    on.refused(client);
    client.close();
  };
  const unregister = internals.unregisterClient.bind(aedes);
  internals.unregisterClient = (client) => {
    if (internals.clients[client.id] === client) unregister(client);
  };
}

/** What the platform does around Aedes' use of one connection's socket (see `tapConnection`). */
export interface ConnectionTaps {
  /** Each chunk Aedes is about to parse; false: the tap has cut the connection and Aedes gets nothing of it. */
  read(chunk: Buffer): boolean;
  /** Before each write Aedes makes (mqtt-packet writes a packet in several pieces). */
  beforeWrite(): void;
  /** After each write, with the bytes in the socket's queue. */
  afterWrite(): void;
  /** Before the socket is destroyed, by anyone: still writable. */
  beforeDestroy(): void;
}

/**
 * Puts `taps` between Aedes and the socket it is handed, on the socket itself: no stream of
 * our own per connection (a Duplex in between cost about 1.3 KiB and a dozen objects per
 * connection, and a second pass through the stream machinery per read and per write).
 *
 * This relies on how Aedes uses its stream (aedes/lib/client.js, aedes/lib/write.js), which
 * test/broker/aedes-internals.test.ts pins: it reads only with `read()` from a 'readable'
 * listener (paused mode), so every byte it parses passes through `read()` first and a chunk
 * refused there is never parsed; and it waits for 'drain' (with a delivery's callback, and
 * through it its emitter's in-flight window shared by all clients) only after a `write()` that
 * returned false. Here `write()` always returns true: the socket's queue is bounded by the tap
 * instead, which must cut the connection rather than let it grow.
 */
export function tapConnection(socket: Socket, taps: ConnectionTaps): void {
  // The socket's own methods, each called below on the socket it came from. Arrow functions:
  // tsx keeps the names of named function expressions by redefining `name`, which gives each
  // such function (three per connection) a dictionary of properties of its own, 256 bytes.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { read, write, destroy } = socket;
  socket.read = (size?: number): unknown => {
    const chunk: unknown = read.call(socket, size);
    return chunk === null || taps.read(chunk as Buffer) ? chunk : null;
  };
  socket.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding, callback?: (error?: Error | null) => void) => {
    taps.beforeWrite();
    write.call(socket, chunk, encoding, callback);
    taps.afterWrite();
    return true;
  }) as Socket['write'];
  socket.destroy = (error?: Error): Socket => {
    taps.beforeDestroy();
    return destroy.call(socket, error);
  };
}

/** The retained messages whose topics match `pattern`, as the broker's persistence holds them. */
export function retainedMessages(aedes: Aedes, pattern: string): AsyncIterable<AedesPublishPacket> {
  return brokerInternals(aedes).persistence.createRetainedStream(pattern);
}

/** Keeps a retained message (or clears one, with an empty payload) in the broker's persistence without publishing it. */
export function storeRetained(aedes: Aedes, packet: unknown): void {
  void brokerInternals(aedes)
    .persistence.storeRetained(packet)
    .catch(() => undefined); // a lost copy is refreshed by the next presence announcement
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
