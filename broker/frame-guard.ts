/**
 * The two bounds of one MQTT-over-TCP (or TLS) connection, on the socket the broker is handed.
 *
 * Incoming: refuses oversized MQTT packets while their bytes are still arriving. Aedes (through
 * mqtt-packet) buffers a whole packet before it looks at it and has no size limit, so one
 * client could make the broker hold hundreds of megabytes. The guard reads each packet's fixed
 * header (MQTT 3.1.1 §2.2: one type byte, then a 1-4 byte variable-length "remaining length")
 * and cuts the connection as soon as a header announces more than the limit.
 *
 * Outgoing: never makes the broker wait for this client (see `guardSocket`), and cuts the
 * connection once more than `maxOutgoingBytes` wait to be written.
 */
import type { Socket } from 'node:net';
import { tapConnection, type ConnectionTaps } from './aedes-internals.js';
import type { DisconnectReason } from './disconnects.js';

export interface ConnectionLimits {
  /** The largest MQTT "remaining length" accepted from the client. */
  maxPacketBytes: number;
  /** Bytes that may wait in user space for the client to read them (the kernel's buffers come first). */
  maxOutgoingBytes: number;
}

export type GuardReason = Extract<DisconnectReason, 'packet_too_large' | 'packet_malformed' | 'outgoing_bytes'>;

export type FrameVerdict = 'ok' | 'too-large' | 'malformed';

export interface FrameSizeTracker {
  /** Answers as soon as a verdict other than ok is known. */
  feed(chunk: Uint8Array): FrameVerdict;
}

/**
 * Pure tracker over the byte stream. A class, not a closure: one is kept per open connection,
 * and its state as fields costs one small object instead of a closure context and a function.
 */
class FrameSizes implements FrameSizeTracker {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly maxRemainingLength: number) {}

  feed(chunk: Uint8Array): FrameVerdict {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const taken = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= taken;
        i += taken;
        if (this.bodyLeft === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i]!;
      i += 1;
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes += 1;
      if (this.length > this.maxRemainingLength) return 'too-large';
      if ((byte & 0x80) !== 0) {
        if (this.lengthBytes === 4) return 'malformed'; // [MQTT-2.2.3] at most four length bytes
        continue;
      }
      this.bodyLeft = this.length;
      this.state = this.length === 0 ? 'type' : 'body';
    }
    return 'ok';
  }
}

export function createFrameSizeTracker(maxRemainingLength: number): FrameSizeTracker {
  return new FrameSizes(maxRemainingLength);
}

/** Told which connection was cut and why; one function for all connections (no closure kept per connection). */
export type OnDropped = (reason: GuardReason, socket: Socket) => void;

/**
 * Guards `socket` in place, before it is handed to Aedes (which then reads and writes the socket
 * itself: no stream in between, see `tapConnection`).
 *
 * A write is done as soon as the socket has taken the bytes, not when the kernel has: Aedes waits
 * for 'drain' after a write the socket reports as full, and holds the delivery's callback until
 * then; its emitter holds at most 100 messages in flight for all clients together, so one client
 * that stops reading used to stall every delivery on the node until its drain timeout. Here the
 * wait is replaced by a bound: past `maxOutgoingBytes` queued for this socket, the connection is
 * cut (its clean session ends; the device reconnects and fills the gap over REST).
 *
 * Writes are coalesced per turn of the event loop: the first write of a turn corks the socket
 * and a setImmediate uncorks it, so every packet queued for this client in that turn (a busy
 * room delivers many per turn) leaves in one writev instead of a syscall each, the largest
 * single cost of a delivery on loopback. mqtt-packet's own cork only spans one packet. The
 * delay is at most the rest of the current turn; nothing waits on a timer. What is held is
 * written before any destroy, so a refusing CONNACK still leaves.
 */
export function guardSocket(socket: Socket, limits: ConnectionLimits, onDropped: OnDropped): void {
  tapConnection(socket, new SocketGuard(socket, limits, onDropped));
}

/** The tracker and the taps in one object: one is kept per open connection. */
class SocketGuard extends FrameSizes implements ConnectionTaps {
  isHeld = false;

  constructor(
    readonly socket: Socket,
    private readonly limits: ConnectionLimits,
    private readonly onDropped: OnDropped,
  ) {
    super(limits.maxPacketBytes);
  }

  read(chunk: Buffer): boolean {
    if (this.socket.destroyed) return false; // cut already: nothing more reaches Aedes
    const verdict = this.feed(chunk);
    if (verdict === 'ok') return true;
    this.drop(verdict === 'too-large' ? 'packet_too_large' : 'packet_malformed');
    return false;
  }

  beforeWrite(): void {
    if (this.isHeld) return;
    this.isHeld = true;
    this.socket.cork();
    setImmediate(release, this);
  }

  afterWrite(): void {
    if (this.socket.writableLength > this.limits.maxOutgoingBytes) this.drop('outgoing_bytes');
  }

  beforeDestroy(): void {
    release(this);
  }

  private drop(reason: GuardReason): void {
    if (this.socket.destroyed) return;
    this.onDropped(reason, this.socket);
    this.socket.destroy();
  }
}

/** Ends a turn's hold: the socket writes everything queued in it at once. */
function release(guard: SocketGuard): void {
  if (!guard.isHeld) return;
  guard.isHeld = false;
  guard.socket.uncork();
}
