/**
 * A raw TCP conversation with the platform for the byte-level targets: write, then wait for
 * what the server answers or for it to close, each wait bounded. Errors (resets, writes after
 * the server closed) are the expected result of hostile input and end the conversation quietly.
 */
import { connect, type Socket } from 'node:net';
import type { StreamEnding } from '../generators/mqtt-streams.js';

export type WaitResult = 'matched' | 'closed' | 'timeout';

/** How a conversation ended, for the per-target statistics. */
export type Ending = 'server-closed' | 'client-destroyed' | 'kept-open';

/** How long a probe (PINGREQ) waits for its answer: a live session answers in milliseconds. */
const PROBE_WAIT_MS = 500;

export class Conversation {
  private bytes = Buffer.alloc(0);
  private closed = false;
  /** The pending waitFor's check, run on every arrival and on close. */
  private wake: () => void = () => undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytes = Buffer.concat([this.bytes, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Connects to the platform; 'refused' when nothing listens (the platform is gone). */
  static open(port: number, timeoutMs: number): Promise<Conversation | 'refused'> {
    return new Promise((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.setNoDelay(true);
      socket.on('error', () => undefined); // ECONNRESET, EPIPE: the server hung up, as it may
      const timer = setTimeout(() => socket.destroy(), timeoutMs);
      const refused = () => {
        clearTimeout(timer);
        resolve('refused');
      };
      socket.once('close', refused);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('close', refused);
        resolve(new Conversation(socket));
      });
    });
  }

  /** Everything the server sent so far. */
  received(): Buffer {
    return this.bytes;
  }

  isClosed(): boolean {
    return this.closed;
  }

  write(data: Buffer): void {
    if (!this.closed && this.socket.writable) this.socket.write(data);
  }

  /** Resolves when `test(received)` holds, the server closes, or `timeoutMs` passes. */
  waitFor(test: (received: Buffer) => boolean, timeoutMs: number): Promise<WaitResult> {
    return new Promise((done) => {
      const settle = (result: WaitResult) => {
        clearTimeout(timer);
        this.wake = () => undefined;
        done(result);
      };
      const timer = setTimeout(() => settle('timeout'), timeoutMs);
      this.wake = () => {
        if (test(this.bytes)) settle('matched');
        else if (this.closed) settle('closed');
      };
      this.wake();
    });
  }

  /**
   * Leaves as the case says: drop the socket, or (after a probe the server should answer)
   * half-close it and wait for the server to close its side; `kept-open` if it did not in time.
   */
  async finish(
    ending: StreamEnding,
    probe: () => void,
    isProbeAnswered: (received: Buffer) => boolean,
    timeoutMs: number,
  ): Promise<Ending> {
    if (this.closed) return 'server-closed';
    if (ending === 'destroy') {
      this.socket.destroy();
      return 'client-destroyed';
    }
    if (ending === 'probe') {
      probe();
      // A server in the middle of a truncated packet takes the probe as more of it and never answers.
      await this.waitFor(isProbeAnswered, Math.min(timeoutMs, PROBE_WAIT_MS));
    }
    if (!this.closed) this.socket.end();
    if ((await this.waitFor(() => false, timeoutMs)) === 'closed') return 'server-closed';
    this.socket.destroy();
    return 'kept-open';
  }
}
