/**
 * Which room messages reached which device: a PUBACK of a `chat/room/{roomId}` Message is the
 * push worker's evidence that a member who looks online really got it
 * (docs/signals.md#delivery-marks).
 *
 * Aedes emits 'ack' with the packet it takes back from its outgoing store, but devices use clean
 * sessions, whose outgoing QoS 1 packets are never stored: the packet is undefined, with the
 * in-memory and the Redis persistence alike. So the broker remembers itself which packet id
 * carried which (room, seq) to which connection, and looks the id up when the PUBACK arrives.
 */

/** One delivery awaiting its PUBACK. */
export interface RoomDelivery {
  roomId: string;
  seq: number;
}

/** The part of an Aedes client this needs: its packet id counter (private in Aedes, see `takePacketId`). */
export interface PacketIdSource {
  _nextId: number;
}

export interface DeliveryAcks {
  /**
   * Gives a QoS 1 room delivery to `client` its packet id now and remembers it. Returns the
   * packet to forward: a copy, because Aedes hands the same packet object to every subscriber.
   */
  track<P extends { messageId?: number }>(client: PacketIdSource, packet: P, delivery: RoomDelivery): P;
  /** The delivery `client` acknowledged with `messageId`, forgotten once returned. */
  acked(client: PacketIdSource, messageId: number | undefined): RoomDelivery | undefined;
}

/** MQTT packet identifiers are 1..65535 [MQTT-2.3.1-1]. */
const MAX_PACKET_ID = 65_535;

/**
 * Takes the next id from the client's own counter, exactly as Aedes' QoSPacket does: sharing the
 * counter keeps our ids distinct from those Aedes gives the connection's other QoS 1 packets
 * (inbox, room events), so a PUBACK can never be credited to the wrong packet. Aedes keeps a
 * forwarded packet's `messageId` when it has one (aedes/lib/qos-packet.js).
 */
function takePacketId(client: PacketIdSource): number {
  const id = client._nextId;
  client._nextId = id >= MAX_PACKET_ID ? 1 : id + 1;
  return id;
}

export function createDeliveryAcks(options: {
  maxUnackedPerClient: number;
  /** Called once when a connection exceeds the bound (the broker disconnects it). */
  tooManyUnacked?: (client: PacketIdSource) => void;
}): DeliveryAcks {
  const overflowed = new WeakSet<PacketIdSource>();
  // Per connection object, so a device taking over its session starts clean and a closed connection is simply collected.
  const unacked = new WeakMap<PacketIdSource, Map<number, RoomDelivery>>();
  return {
    track(client, packet, delivery) {
      const messageId = takePacketId(client);
      const pending = unacked.get(client) ?? new Map<number, RoomDelivery>();
      unacked.set(client, pending);
      pending.delete(messageId); // an id reused after wrapping: the old packet was never acknowledged
      pending.set(messageId, delivery);
      // A half-open (or misbehaving) connection acknowledges nothing: bound what it can make us
      // hold, and report it once so the broker ends it (its device reconnects and fills the gap).
      if (pending.size > options.maxUnackedPerClient) {
        pending.delete(pending.keys().next().value!);
        if (!overflowed.has(client)) {
          overflowed.add(client);
          options.tooManyUnacked?.(client);
        }
      }
      return { ...packet, messageId };
    },
    acked(client, messageId) {
      if (messageId === undefined) return undefined;
      const pending = unacked.get(client);
      const delivery = pending?.get(messageId);
      pending?.delete(messageId);
      return delivery;
    },
  };
}
