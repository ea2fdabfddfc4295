/**
 * Runs a WebSocket case on the WebSocket port over a raw socket: the handshake as generated,
 * then (after a real CONNECT frame when the case authenticates) its frames, then its ending.
 */
import { connectFrame, PING_FRAME, type WsCase } from '../generators/ws-cases.js';
import { OPCODE, readServerFrames } from '../generators/ws-frames.js';
import type { GeneratorContext } from '../generators/world.js';
import { connectRefusal, type CaseResult } from './case-result.js';
import { Conversation } from './conversation.js';
import { readServerPackets } from './mqtt-server-packets.js';

const HEADER_END = Buffer.from('\r\n\r\n');

/** The MQTT bytes inside the binary frames a server sent after its handshake answer. */
function mqttBytes(received: Buffer): Buffer {
  const headerEnd = received.indexOf(HEADER_END);
  if (headerEnd < 0) return Buffer.alloc(0);
  const { frames } = readServerFrames(received.subarray(headerEnd + HEADER_END.length));
  return Buffer.concat(frames.filter((f) => f.opcode === OPCODE.binary || f.opcode === OPCODE.continuation).map((f) => f.payload));
}

export async function runWsCase(port: number, context: GeneratorContext, fuzzCase: WsCase, waitMs: number): Promise<CaseResult> {
  const conversation = await Conversation.open(port, waitMs);
  if (conversation === 'refused') return { outcome: 'refused' };
  conversation.write(fuzzCase.request);
  await conversation.waitFor((bytes) => bytes.includes(HEADER_END), waitMs);
  const status = /^HTTP\/1\.1 (\d{3})/.exec(conversation.received().toString('latin1'))?.[1] ?? 'none';
  if (fuzzCase.upgrades && status !== '101')
    return { outcome: `http-${status}`, problem: { kind: 'connect-refused', detail: `a valid WebSocket upgrade got HTTP ${status}` } };
  let prefix = `http-${status} `;
  if (fuzzCase.authenticate && status === '101') {
    conversation.write(connectFrame(context, fuzzCase.lane));
    await conversation.waitFor((bytes) => readServerPackets(mqttBytes(bytes)).connackCode !== undefined, waitMs);
    const refusal = connectRefusal(readServerPackets(mqttBytes(conversation.received())).connackCode);
    if (refusal !== undefined) {
      conversation.socket.destroy();
      return refusal;
    }
    prefix += 'auth ';
  }
  for (const write of fuzzCase.writes) conversation.write(write);
  const ending = await conversation.finish(
    fuzzCase.ending,
    () => conversation.write(PING_FRAME),
    (bytes) => readServerPackets(mqttBytes(bytes)).pingresp,
    waitMs,
  );
  return { outcome: `${prefix}${ending}` };
}
