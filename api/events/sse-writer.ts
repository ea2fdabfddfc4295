/**
 * Server-Sent Events on a raw HTTP response (the WHATWG `text/event-stream` format): named
 * events with JSON data and an optional id.
 *
 * The writer never lets a slow client hold memory without bound: once the response pushes back
 * (`write` returns false: Node's buffer is past its high-water mark because the kernel's socket
 * buffer is full), every byte written until it drains is counted, and beyond
 * `maxBufferedBytes` the writer reports an overflow once and writes nothing more; the stream's
 * owner closes it (the client resumes from its last seq). A producer that can wait (the replay)
 * awaits `drained()` instead of piling up.
 */
import type { ServerResponse } from 'node:http';

export interface SseWriter {
  /** False when the stream is closed or overflowing: the event was not written. */
  event(name: string, data: unknown, id?: string): boolean;
  /** Resolves once the response has taken everything written (at once when it is not pushing back), or closed. */
  drained(): Promise<void>;
  /** Ends the response after a last event, if the socket can still take it. */
  end(last?: { name: string; data: unknown }): void;
  readonly closed: boolean;
}

export function createSseWriter(res: ServerResponse, options: { maxBufferedBytes: number; overflowed(): void }): SseWriter {
  let closed = false;
  let overflowing = false;
  /** Bytes written since the response last pushed back; undefined while it is not pushing back. */
  let backlogBytes: number | undefined;
  let waiting: (() => void)[] = [];
  const release = () => {
    const released = waiting;
    waiting = [];
    for (const resolve of released) resolve();
  };
  res.on('drain', () => {
    backlogBytes = undefined;
    release();
  });
  res.on('close', release);

  const frame = (name: string, data: unknown, id?: string): string =>
    // JSON has no raw newlines, so the data is one `data:` line; ids are [A-Za-z0-9_-:] only.
    `event: ${name}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;

  return {
    get closed() {
      return closed || res.destroyed;
    },
    event(name, data, id) {
      if (closed || overflowing || res.destroyed) return false;
      const text = frame(name, data, id);
      if (backlogBytes !== undefined) backlogBytes += Buffer.byteLength(text);
      const tookIt = res.write(text);
      if (!tookIt) backlogBytes ??= 0;
      if (backlogBytes !== undefined && backlogBytes > options.maxBufferedBytes) {
        overflowing = true;
        options.overflowed();
        return false;
      }
      return true;
    },
    drained() {
      if (backlogBytes === undefined || closed || res.destroyed) return Promise.resolve();
      return new Promise((resolve) => waiting.push(resolve));
    },
    end(last) {
      if (closed) return;
      closed = true;
      release();
      if (res.destroyed) return;
      // An overflowing socket would hold the goodbye behind the backlog: cut it instead.
      if (overflowing) return void res.destroy();
      res.end(last === undefined ? undefined : frame(last.name, last.data));
    },
  };
}
