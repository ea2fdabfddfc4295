/**
 * MQTT over WebSocket: the duplex the broker is handed for one WebSocket, with the same
 * outgoing bound as a TCP connection (see frame-guard.ts). Incoming messages are bounded by the
 * WebSocketServer's `maxPayload`.
 */
import type { Duplex } from 'node:stream';
import { createWebSocketStream, type WebSocket } from 'ws';
import type { ConnectionLimits, GuardReason } from './frame-guard.js';

export function webSocketConnection(ws: WebSocket, limits: ConnectionLimits, onDropped: (reason: GuardReason) => void): Duplex {
  // Above what the bound lets through: the duplex itself never asks Aedes to wait for 'drain'.
  const stream = createWebSocketStream(ws, { writableHighWaterMark: limits.maxOutgoingBytes });
  const drop = (reason: GuardReason) => {
    if (stream.destroyed) return;
    onDropped(reason);
    ws.terminate();
  };
  // ws.send's callback fires only once the kernel took the frame, so the stream's own _write
  // would make Aedes wait for this client (and, through its shared emitter, everyone else).
  // Sending without a callback is safe: a frame sent after close is dropped by ws.
  const send = (data: Buffer, done: (error?: Error | null) => void) => {
    ws.send(data);
    if (ws.bufferedAmount > limits.maxOutgoingBytes) drop('outgoing_bytes');
    done();
  };
  stream._write = (chunk: Buffer, _encoding, done) => send(chunk, done);
  // One WebSocket frame per MQTT packet. mqtt-packet writes a packet in pieces (header, topic,
  // payload…) inside a cork; without a _writev each piece left as its own frame (5 for a typing
  // PUBLISH: 2-6 bytes of frame header each, and a send each).
  stream._writev = (chunks, done) => send(Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer)), done);
  ws.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') drop('packet_too_large');
  });
  stream.on('error', () => ws.terminate()); // a client error must not surface as an unhandled stream error
  return stream;
}
