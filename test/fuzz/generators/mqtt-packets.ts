/**
 * MQTT packets as a client could send them, built as objects and encoded by mqtt-packet's own
 * generator: every packet type (server-only ones included), MQTT 3.1, 3.1.1 and 5 with
 * properties, odd flags (DUP on QoS 0, retain), QoS 2, and the topics of `topics.ts`.
 */
import mqttPacket, { type Packet, type QoS, type UserProperties } from 'mqtt-packet';
import { deviceClientId } from '../../../schema/index.js';
import { maybe, publishTopic, subscribeFilter } from './topics.js';
import { bytes, chance, int, pick, skewedLength, weighted, type Random } from './random.js';
import type { FuzzDevice, FuzzWorld } from './world.js';

export type ProtocolVersion = 3 | 4 | 5;

const qos = (random: Random): QoS => pick(random, [0, 1, 2] as const);
const messageId = (random: Random): number => pick(random, [1, 2, int(random, 1, 65_535), 65_535]);

function userProperties(random: Random): UserProperties {
  const entries = Array.from({ length: int(random, 1, 4) }, () => [pick(random, ['a', '', 'k'.repeat(300), '\u0000']), 'v']);
  return Object.fromEntries(entries) as UserProperties;
}

function connectPacket(random: Random, world: FuzzWorld, device: FuzzDevice, version: ProtocolVersion): Packet {
  const useRealCredentials = chance(random, 0.5);
  const token = pick(random, [device.token, world.expiredToken, world.peer.token, 'x', '']);
  return {
    cmd: 'connect',
    protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
    protocolVersion: version,
    clean: chance(random, 0.8),
    keepalive: pick(random, [0, 1, 60, 1800, 65_535]),
    clientId: useRealCredentials
      ? deviceClientId(device.userId, device.deviceId)
      : pick(random, ['', 'x', deviceClientId(world.peer.userId, world.peer.deviceId), 'c'.repeat(int(random, 24, 300))]),
    ...(chance(random, 0.8)
      ? { username: useRealCredentials ? device.userId : pick(random, ['', 'platform-service', world.peer.userId]) }
      : {}),
    ...(chance(random, 0.8) ? { password: Buffer.from(useRealCredentials ? device.token : token) } : {}),
    ...(chance(random, 0.3)
      ? {
          will: {
            topic: publishTopic(random, world, device),
            payload: bytes(random, skewedLength(random, 512)),
            qos: qos(random),
            retain: chance(random, 0.5),
            ...(version === 5 ? { properties: { willDelayInterval: int(random, 0, 10), contentType: 'x' } } : {}),
          },
        }
      : {}),
    ...(version === 5
      ? {
          properties: {
            sessionExpiryInterval: pick(random, [0, 1, 0xffffffff]),
            receiveMaximum: pick(random, [1, 65_535]),
            maximumPacketSize: pick(random, [1, 128, 268_435_455]),
            topicAliasMaximum: pick(random, [0, 10, 65_535]),
            ...(chance(random, 0.3) ? { userProperties: userProperties(random) } : {}),
            ...(chance(random, 0.2) ? { authenticationMethod: 'x', authenticationData: bytes(random, 8) } : {}),
          },
        }
      : {}),
  };
}

function publishPacket(random: Random, world: FuzzWorld, device: FuzzDevice, version: ProtocolVersion): Packet {
  const level = qos(random);
  return {
    cmd: 'publish',
    topic: publishTopic(random, world, device),
    payload: bytes(random, skewedLength(random, 2048)),
    qos: level,
    dup: chance(random, 0.2),
    retain: chance(random, 0.3),
    ...(level > 0 || chance(random, 0.1) ? { messageId: messageId(random) } : {}),
    ...(version === 5 && chance(random, 0.6)
      ? {
          properties: {
            ...maybeProp(random, 'topicAlias', () => pick(random, [1, 2, 65_535])),
            ...maybeProp(random, 'messageExpiryInterval', () => int(random, 0, 1000)),
            ...maybeProp(random, 'payloadFormatIndicator', () => chance(random, 0.5)),
            ...maybeProp(random, 'responseTopic', () => publishTopic(random, world, device)),
            ...maybeProp(random, 'correlationData', () => bytes(random, 16)),
            ...maybeProp(random, 'userProperties', () => userProperties(random)),
            ...maybeProp(random, 'subscriptionIdentifier', () => int(random, 1, 268_435_455)),
            ...maybeProp(random, 'contentType', () => pick(random, ['application/x-protobuf', '', '\u0000'])),
          },
        }
      : {}),
  };
}

function maybeProp<K extends string, V>(random: Random, key: K, value: () => V): Partial<Record<K, V>> {
  const present = maybe(random, 0.4, value);
  return present === undefined ? {} : ({ [key]: present } as Record<K, V>);
}

function subscribePacket(random: Random, world: FuzzWorld, device: FuzzDevice, version: ProtocolVersion): Packet {
  return {
    cmd: 'subscribe',
    messageId: messageId(random),
    subscriptions: Array.from({ length: int(random, 1, 6) }, () => ({
      topic: subscribeFilter(random, world, device),
      qos: qos(random),
      ...(version === 5 ? { nl: chance(random, 0.5), rap: chance(random, 0.5), rh: int(random, 0, 2) } : {}),
    })),
    ...(version === 5 && chance(random, 0.3) ? { properties: { subscriptionIdentifier: int(random, 1, 1000) } } : {}),
  };
}

function ackPacket(random: Random, cmd: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp', version: ProtocolVersion): Packet {
  return { cmd, messageId: messageId(random), ...(version === 5 ? { reasonCode: pick(random, [0, 0x10, 0x80, 0x92]) } : {}) };
}

/** One packet of any type; those a server never expects from a client (CONNACK, SUBACK…) included. */
export function randomPacket(random: Random, world: FuzzWorld, device: FuzzDevice, version: ProtocolVersion): Packet {
  return weighted<() => Packet>(random, [
    [3, () => connectPacket(random, world, device, version)],
    [8, () => publishPacket(random, world, device, version)],
    [3, () => subscribePacket(random, world, device, version)],
    [2, () => ({ cmd: 'unsubscribe', messageId: messageId(random), unsubscriptions: [subscribeFilter(random, world, device)] })],
    [1, () => ackPacket(random, 'puback', version)],
    [1, () => ackPacket(random, 'pubrec', version)],
    [1, () => ackPacket(random, 'pubrel', version)],
    [1, () => ackPacket(random, 'pubcomp', version)],
    [2, () => ({ cmd: 'pingreq' })],
    [1, () => ({ cmd: 'pingresp' })],
    [1, () => ({ cmd: 'disconnect', ...(version === 5 ? { reasonCode: pick(random, [0, 4, 0x8e]) } : {}) })],
    [1, () => ({ cmd: 'connack', sessionPresent: chance(random, 0.5), returnCode: int(random, 0, 5) })],
    [1, () => ({ cmd: 'suback', messageId: messageId(random), granted: [qos(random), 128] })],
    [1, () => ({ cmd: 'unsuback', messageId: messageId(random), granted: [] })],
    [version === 5 ? 1 : 0, () => ({ cmd: 'auth', reasonCode: pick(random, [0, 0x18, 0x19]) })],
  ])();
}

/** mqtt-packet's encoding of `packet`; a combination its generator refuses falls back to a PINGREQ. */
export function encodePacket(packet: Packet, version: ProtocolVersion): Buffer {
  try {
    return mqttPacket.generate(packet, { protocolVersion: version });
  } catch {
    return mqttPacket.generate({ cmd: 'pingreq' });
  }
}

/** The CONNECT a well-behaved device sends: real token, its own client id, MQTT 3.1.1. */
export function validConnect(device: FuzzDevice): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    clientId: deviceClientId(device.userId, device.deviceId),
    username: device.userId,
    password: Buffer.from(device.token),
  });
}

export const PINGREQ = mqttPacket.generate({ cmd: 'pingreq' });
