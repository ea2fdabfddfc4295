/**
 * The two bounds of one MQTT-over-TCP (or TLS) connection, on the socket the broker is handed.
 *
 * Incoming: refuses oversized MQTT packets while their bytes are still arriving. Aedes (through
 * mqtt-packet) buffers a whole packet before it looks at it and has no size limit, so one
 * client could make the broker hold hundreds of megabytes. The guard reads each packet's fixed
 * header (MQTT 3.1.1 §2.2: one type byte, then a 1-4 byte variable-length "remaining length")
 * and cuts the connection as soon as a header announces more than the limit.
 *
 * Outgoing: never makes the broker wait for this client (see `guardFrames`), and cuts the
 * connection once more than `maxOutgoingBytes` wait to be written.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { DisconnectReason } from './disconnects.js';

export interface ConnectionLimits {
  /** The largest MQTT "remaining length" accepted from the client. */
  maxPacketBytes: number;
  /** Bytes that may wait in user space for the client to read them (the kernel's buffers come first). */
  maxOutgoingBytes: number;
}

export type GuardReason = Extract<DisconnectReason, 'packet_too_large' | 'packet_malformed' | 'outgoing_bytes'>;

export type FrameVerdict = 'ok' | 'too-large' | 'malformed';

/** Pure tracker over the byte stream; `feed` answers as soon as a verdict other than ok is known. */
export function createFrameSizeTracker(maxRemainingLength: number): { feed(chunk: Uint8Array): FrameVerdict } {
  let state: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let bodyLeft = 0;
  return {
    feed(chunk) {
      let i = 0;
      while (i < chunk.length) {
        if (state === 'body') {
          const taken = Math.min(bodyLeft, chunk.length - i);
          bodyLeft -= taken;
          i += taken;
          if (bodyLeft === 0) state = 'type';
          continue;
        }
        const byte = chunk[i]!;
        i += 1;
        if (state === 'type') {
          state = 'length';
          length = 0;
          multiplier = 1;
          lengthBytes = 0;
          continue;
        }
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes += 1;
        if (length > maxRemainingLength) return 'too-large';
        if ((byte & 0x80) !== 0) {
          if (lengthBytes === 4) return 'malformed'; // [MQTT-2.2.3] at most four length bytes
          continue;
        }
        bodyLeft = length;
        state = length === 0 ? 'type' : 'body';
      }
      return 'ok';
    },
  };
}

/**
 * The socket as a duplex whose readable side stops at the first oversized packet.
 *
 * A write is done as soon as the socket has taken the bytes, not when the kernel has: Aedes waits
 * for each delivery's write callback (and for 'drain') before it releases the message, and its
 * emitter holds at most 100 messages in flight for all clients together, so one client that
 * stops reading used to stall every delivery on the node until its drain timeout. Here the wait
 * is replaced by a bound: past `maxOutgoingBytes` queued for this socket, the connection is cut
 * (its clean session ends; the device reconnects and fills the gap over REST).
 *
 * Writes are coalesced per turn of the event loop: the first write of a turn corks the socket
 * and a setImmediate uncorks it, so every packet queued for this client in that turn (a busy
 * room delivers many per turn) leaves in one writev instead of a syscall each, the largest
 * single cost of a delivery on loopback. mqtt-packet's own cork only spans one packet. The
 * delay is at most the rest of the current turn; nothing waits on a timer.
 */
export function guardFrames(socket: Socket, limits: ConnectionLimits, onDropped: (reason: GuardReason) => void): Duplex {
  const tracker = createFrameSizeTracker(limits.maxPacketBytes);
  socket.setNoDelay(true);
  const drop = (reason: GuardReason) => {
    if (connection.destroyed) return;
    onDropped(reason);
    connection.destroy();
  };
  const checkOutgoing = () => {
    if (socket.writableLength > limits.maxOutgoingBytes) drop('outgoing_bytes');
  };
  let isHeld = false;
  const release = () => {
    if (!isHeld) return;
    isHeld = false;
    socket.uncork();
  };
  const hold = () => {
    if (isHeld) return;
    isHeld = true;
    socket.cork();
    setImmediate(release);
  };
  const connection = new Duplex({
    // Above what the bound lets through: this duplex itself never asks Aedes to wait for 'drain'.
    writableHighWaterMark: limits.maxOutgoingBytes,
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      hold();
      socket.write(chunk);
      checkOutgoing();
      done();
    },
    writev(chunks, done) {
      hold();
      for (const { chunk } of chunks) socket.write(chunk as Buffer);
      checkOutgoing();
      done();
    },
    final(done) {
      socket.end(done);
    },
    destroy(error, done) {
      // What was written before the close (a refusing CONNACK) leaves first, as it did unheld.
      release();
      socket.destroy();
      done(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    const verdict = tracker.feed(chunk);
    if (verdict !== 'ok') return drop(verdict === 'too-large' ? 'packet_too_large' : 'packet_malformed');
    if (!connection.push(chunk)) socket.pause();
  });
  socket.on('end', () => connection.push(null));
  socket.on('close', () => connection.destroy());
  socket.on('error', (error) => connection.destroy(error));
  return connection;
}
