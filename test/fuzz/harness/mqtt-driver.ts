/** Runs an MQTT stream case over plain TCP: optional real CONNECT, the hostile bytes, then the case's way of leaving. */
import { PINGREQ, validConnect } from '../generators/mqtt-packets.js';
import type { MqttStreamCase } from '../generators/mqtt-streams.js';
import type { FuzzWorld } from '../generators/world.js';
import { connectRefusal, type CaseResult } from './case-result.js';
import { Conversation } from './conversation.js';
import { readServerPackets } from './mqtt-server-packets.js';

export async function runMqttCase(port: number, world: FuzzWorld, fuzzCase: MqttStreamCase, waitMs: number): Promise<CaseResult> {
  const conversation = await Conversation.open(port, waitMs);
  if (conversation === 'refused') return { outcome: 'refused' };
  let prefix = '';
  if (fuzzCase.authenticate) {
    conversation.write(validConnect(world.attackerDevices[fuzzCase.lane]!));
    await conversation.waitFor((bytes) => readServerPackets(bytes).connackCode !== undefined, waitMs);
    const refusal = connectRefusal(readServerPackets(conversation.received()).connackCode);
    if (refusal !== undefined) {
      conversation.socket.destroy();
      return refusal;
    }
    prefix = 'auth ';
  }
  for (const piece of fuzzCase.pieces) conversation.write(piece);
  const sentBefore = conversation.received().length;
  const ending = await conversation.finish(
    fuzzCase.ending,
    () => conversation.write(PINGREQ),
    (bytes) => readServerPackets(bytes.subarray(sentBefore)).pingresp,
    waitMs,
  );
  return { outcome: `${prefix}${ending}` };
}
