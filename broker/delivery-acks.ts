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

export interface DeliveryAcks<C extends object> {
  /**
   * Gives a QoS 1 room delivery to `connection` its packet id now and remembers it. Returns the
   * packet to forward: a copy, because Aedes hands the same packet object to every subscriber.
   */
  track<P extends { messageId?: number }>(connection: C, packet: P, delivery: RoomDelivery): P;
  /** The delivery `connection` acknowledged with `messageId`, forgotten once returned. */
  acked(connection: C, messageId: number | undefined): RoomDelivery | undefined;
}

export function createDeliveryAcks<C extends object>(
  deps: {
    /** The connection's next packet id, from the counter its other QoS 1 packets take theirs from (so a PUBACK is never credited to the wrong packet). */
    takePacketId: (connection: C) => number;
    /** Called once when a connection exceeds the bound (the broker disconnects it). */
    tooManyUnacked?: (connection: C) => void;
  },
  options: { maxUnackedPerClient: number },
): DeliveryAcks<C> {
  const overflowed = new WeakSet<C>();
  // Per connection object, so a device taking over its session starts clean and a closed connection is simply collected.
  const unacked = new WeakMap<C, Map<number, RoomDelivery>>();
  return {
    track(connection, packet, delivery) {
      const messageId = deps.takePacketId(connection);
      const pending = unacked.get(connection) ?? new Map<number, RoomDelivery>();
      unacked.set(connection, pending);
      pending.delete(messageId); // an id reused after wrapping: the old packet was never acknowledged
      pending.set(messageId, delivery);
      // A half-open (or misbehaving) connection acknowledges nothing: bound what it can make us
      // hold, and report it once so the broker ends it (its device reconnects and fills the gap).
      if (pending.size > options.maxUnackedPerClient) {
        pending.delete(pending.keys().next().value!);
        if (!overflowed.has(connection)) {
          overflowed.add(connection);
          deps.tooManyUnacked?.(connection);
        }
      }
      return { ...packet, messageId };
    },
    acked(connection, messageId) {
      if (messageId === undefined) return undefined;
      const pending = unacked.get(connection);
      const delivery = pending?.get(messageId);
      pending?.delete(messageId);
      return delivery;
    },
  };
}
