/**
 * Protobuf payloads on every topic a device publishes to, sent by an authenticated member:
 * `Send` on its send topic, `Typing` and `Receipt` in its room, `DeviceStatus` on its presence
 * topic. Each is schema-shaped with hostile field values, a valid message mutated, or noise.
 */
import { decodeSend, devicePresenceTopic, encodeSend, receiptTopic, sendTopic, typingTopic } from '../../../schema/index.js';
import { mutate } from './mutations.js';
import { hostileField, lyingLength, unknownField, varint, type FieldSpec } from './protobuf-wire.js';
import { bytes, chance, int, pick, skewedLength, weighted, type Random } from './random.js';
import { laneDevice, type FuzzDevice, type GeneratorContext, type KnownDefect } from './world.js';

export type ProtoTopicKind = 'send' | 'typing' | 'receipt' | 'presence';
export type ProtoShape = 'hostile-fields' | 'mutated' | 'random';

export interface ProtoCase {
  topicKind: ProtoTopicKind;
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  shape: ProtoShape;
  payload: Buffer;
  lane: number;
  /** Set when the payload exercises a known defect that the run does not include: the runner skips it. */
  knownDefect?: KnownDefect;
}

const SCHEMAS: Record<ProtoTopicKind, FieldSpec[]> = {
  send: [
    { number: 1, name: 'room_id', kind: 'string' },
    { number: 2, name: 'client_msg_id', kind: 'string' },
    { number: 3, name: 'room_version', kind: 'uint32' },
    { number: 4, name: 'body', kind: 'bytes' },
    { number: 5, name: 'content_type', kind: 'string' },
  ],
  typing: [
    { number: 1, name: 'state', kind: 'enum' },
    { number: 2, name: 'user_id', kind: 'string' },
  ],
  receipt: [
    { number: 1, name: 'read_seq', kind: 'uint64' },
    { number: 2, name: 'user_id', kind: 'string' },
  ],
  presence: [
    { number: 1, name: 'online', kind: 'bool' },
    { number: 2, name: 'heartbeat_ms', kind: 'uint32' },
  ],
};

/** What a well-behaved device would put in each field, so hostile values sit next to plausible ones. */
function validValue(random: Random, context: GeneratorContext, device: FuzzDevice, field: FieldSpec): Buffer {
  const { world } = context;
  switch (field.name) {
    case 'room_id':
      return Buffer.from(chance(random, 0.8) ? world.roomId : world.unknownId);
    case 'client_msg_id':
      return Buffer.from(`fz-${int(random, 0, 2 ** 31)}`);
    case 'room_version':
      return varint(BigInt(world.roomVersion));
    case 'body':
      return bytes(random, skewedLength(random, 512));
    case 'content_type':
      return Buffer.from('text/plain');
    case 'state':
      return varint(BigInt(int(random, 1, 3)));
    case 'user_id':
      return Buffer.from(device.userId);
    case 'read_seq':
      return varint(BigInt(int(random, 0, 50)));
    case 'online':
      return varint(BigInt(int(random, 0, 1)));
    default:
      return varint(BigInt(int(random, 0, 300_000)));
  }
}

function hostileMessage(random: Random, context: GeneratorContext, device: FuzzDevice, kind: ProtoTopicKind): Buffer {
  const allowNul = kind !== 'send' || context.knownDefects.has('nul-text');
  const fields = SCHEMAS[kind].filter(() => chance(random, 0.85));
  const parts = fields.map((field) => hostileField(random, field, allowNul, () => validValue(random, context, device, field)));
  // A field written twice: a decoder keeps the last (or merges), and the first may be what a check saw.
  if (chance(random, 0.3)) parts.push(hostileField(random, pick(random, SCHEMAS[kind]), allowNul, () => Buffer.alloc(0)));
  if (chance(random, 0.3)) parts.splice(int(random, 0, parts.length), 0, unknownField(random));
  if (chance(random, 0.1)) parts.push(lyingLength(random, pick(random, SCHEMAS[kind]).number));
  return Buffer.concat(chance(random, 0.2) ? parts.reverse() : parts);
}

function validSend(random: Random, context: GeneratorContext): Buffer {
  return Buffer.from(
    encodeSend({
      roomId: context.world.roomId,
      clientMsgId: `fz-${int(random, 0, 2 ** 31)}`,
      roomVersion: context.world.roomVersion,
      body: bytes(random, skewedLength(random, 256)),
      contentType: 'text/plain',
    }),
  );
}

function topicOf(kind: ProtoTopicKind, context: GeneratorContext, device: FuzzDevice): string {
  switch (kind) {
    case 'send':
      return sendTopic(device.userId);
    case 'typing':
      return typingTopic(context.world.roomId);
    case 'receipt':
      return receiptTopic(context.world.roomId);
    case 'presence':
      return devicePresenceTopic(device.userId, device.deviceId);
  }
}

/**
 * A Send whose content_type holds NUL once decoded reaches the database and aborts the whole
 * batch (issue 9): with `nul-text` left out, such a payload, however it was made, is marked.
 */
function sendDefect(payload: Buffer): KnownDefect | undefined {
  try {
    return decodeSend(payload).contentType.includes('\u0000') ? 'nul-text' : undefined;
  } catch {
    return undefined;
  }
}

export function generateProtoCase(random: Random, context: GeneratorContext, index: number): ProtoCase {
  const lane = index % context.world.attackerDevices.length;
  const device = laneDevice(context.world, index);
  const topicKind = weighted<ProtoTopicKind>(random, [
    [5, 'send'],
    [2, 'typing'],
    [2, 'receipt'],
    [1, 'presence'],
  ]);
  const shape = weighted<ProtoShape>(random, [
    [5, 'hostile-fields'],
    [3, 'mutated'],
    [1, 'random'],
  ]);
  const payload = ((): Buffer => {
    switch (shape) {
      case 'hostile-fields':
        return hostileMessage(random, context, device, topicKind);
      case 'mutated':
        return mutate(random, topicKind === 'send' ? validSend(random, context) : hostileMessage(random, context, device, topicKind));
      case 'random':
        return bytes(random, skewedLength(random, 1024));
    }
  })();
  const defect = topicKind === 'send' ? sendDefect(payload) : undefined;
  return {
    topicKind,
    topic: topicOf(topicKind, context, device),
    qos: weighted<0 | 1 | 2>(random, [
      [2, 0],
      [6, 1],
      [1, 2],
    ]),
    retain: chance(random, topicKind === 'presence' ? 0.8 : 0.2),
    shape,
    payload,
    lane,
    ...(defect !== undefined && !context.knownDefects.has(defect) ? { knownDefect: defect } : {}),
  };
}
