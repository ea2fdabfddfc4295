/**
 * A raw TCP conversation with the platform for the byte-level targets: write, then wait for
 * what the server answers or for it to close, each wait bounded. Errors (resets, writes after
 * the server closed) are the expected result of hostile input and end the conversation quietly.
 */
import { connect, type Socket } from 'node:net';
import type { StreamEnding } from '../generators/mqtt-streams.js';

export type WaitResult = 'matched' | 'closed' | 'timeout';

/** How long a probe (PINGREQ) waits for its answer: a live session answers in milliseconds. */
const PROBE_WAIT_MS = 500;

/** How a conversation ended, for the per-target statistics. */
export type Ending = 'server-closed' | 'client-destroyed' | 'kept-open' | 'refused';

export interface Conversation {
  readonly socket: Socket;
  /** Everything the server sent so far. */
  received(): Buffer;
  write(data: Buffer): void;
  /** Resolves when `test(received)` holds, the server closes, or `timeoutMs` passes. */
  waitFor(test: (received: Buffer) => boolean, timeoutMs: number): Promise<WaitResult>;
  /** Leaves as the case says; `kept-open` when the server had not closed by the deadline. */
  finish(ending: StreamEnding, probe: () => void, isProbeAnswered: (received: Buffer) => boolean, timeoutMs: number): Promise<Ending>;
  isClosed(): boolean;
}

export function openConversation(port: number, timeoutMs: number): Promise<Conversation | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = Buffer.alloc(0);
    let closed = false;
    let wake: () => void = () => undefined;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      wake();
    });
    socket.on('error', () => undefined); // ECONNRESET, EPIPE: the server hung up, as it may
    socket.on('close', () => {
      closed = true;
      wake();
    });
    let connected = false;
    const connectTimer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.once('close', () => {
      clearTimeout(connectTimer);
      if (!connected) resolve('refused');
    });
    socket.once('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      const waitFor = (test: (received: Buffer) => boolean, waitMs: number) =>
        new Promise<WaitResult>((done) => {
          const check = () => {
            if (test(received)) return settle('matched');
            if (closed) return settle('closed');
          };
          const timer = setTimeout(() => settle('timeout'), waitMs);
          function settle(result: WaitResult) {
            clearTimeout(timer);
            wake = () => undefined;
            done(result);
          }
          wake = check;
          check();
        });
      resolve({
        socket,
        received: () => received,
        write(data) {
          if (!closed && socket.writable) socket.write(data);
        },
        waitFor,
        isClosed: () => closed,
        async finish(ending, probe, isProbeAnswered, waitMs) {
          if (closed) return 'server-closed';
          if (ending === 'destroy') {
            socket.destroy();
            return 'client-destroyed';
          }
          if (ending === 'probe') {
            probe();
            // A server in the middle of a truncated packet takes the probe as more of it and never answers.
            await waitFor(isProbeAnswered, Math.min(waitMs, PROBE_WAIT_MS));
          }
          if (!closed) socket.end();
          const result = await waitFor(() => false, waitMs);
          if (result === 'closed') return 'server-closed';
          socket.destroy();
          return 'kept-open';
        },
      });
    });
  });
}
