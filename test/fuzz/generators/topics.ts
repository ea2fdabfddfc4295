/**
 * Topic names and filters a hostile client would try: its own legitimate topics, other users',
 * platform-only ones, wildcards where a name belongs, `$` topics, and malformed and huge strings.
 */
import { devicePresenceTopic, inboxTopic, presenceTopic, receiptTopic, roomTopic, sendTopic, typingTopic } from '../../../schema/index.js';
import { chance, int, pick, weighted, type Random } from './random.js';
import type { FuzzDevice, FuzzWorld } from './world.js';

/** Topics that exist in the platform's grammar, seen from `device`. */
function grammarTopics(world: FuzzWorld, device: FuzzDevice): string[] {
  const room = world.roomId;
  return [
    sendTopic(device.userId),
    devicePresenceTopic(device.userId, device.deviceId),
    typingTopic(room),
    receiptTopic(room),
    roomTopic(room),
    `${roomTopic(room)}/event`,
    inboxTopic(device.userId),
    sendTopic(world.peer.userId),
    inboxTopic(world.peer.userId),
    presenceTopic(device.userId),
    devicePresenceTopic(world.peer.userId, world.peer.deviceId),
    typingTopic(world.unknownId),
    sendTopic(world.unknownId),
  ];
}

const ODD_TOPICS = [
  '',
  '/',
  '//',
  'chat',
  'chat/',
  'chat//send',
  '$SYS/broker/clients',
  '$platform/dropped',
  '$share/g/chat/room/x',
  'chat/room/\u0000/typing',
  'chat/room/ü/typing',
  'chat/user/../send',
  '\uffff\ufffe',
  '\ud83d\ude00/x',
];

const WILDCARDS = ['#', '+', 'chat/#', 'chat/+/+/send', '+/+/+', 'chat/room/+', 'chat/room/+/typing', '$SYS/#', '#/x', 'a+/b', 'chat/#/x'];

function hugeTopic(random: Random): string {
  const length = pick(random, [256, 4096, 65_535]);
  return 'chat/room/'.concat('x'.repeat(length)).slice(0, length);
}

/** A topic name for a PUBLISH (or a Will): wildcards here are a protocol error the broker must survive. */
export function publishTopic(random: Random, world: FuzzWorld, device: FuzzDevice): string {
  return weighted<() => string>(random, [
    [6, () => pick(random, grammarTopics(world, device))],
    [2, () => pick(random, ODD_TOPICS)],
    [2, () => pick(random, WILDCARDS)],
    [1, () => `${pick(random, grammarTopics(world, device))}${pick(random, ['/#', '/+', '/', '/x'])}`],
    [1, () => hugeTopic(random)],
  ])();
}

/** A filter for SUBSCRIBE / UNSUBSCRIBE, including the room wildcards the ACL allows members. */
export function subscribeFilter(random: Random, world: FuzzWorld, device: FuzzDevice): string {
  return weighted<() => string>(random, [
    [4, () => pick(random, grammarTopics(world, device))],
    [3, () => pick(random, [...WILDCARDS, `${roomTopic(world.roomId)}/#`, `${roomTopic(world.roomId)}/+`])],
    [2, () => pick(random, ODD_TOPICS)],
    [1, () => hugeTopic(random)],
    [1, () => Array.from({ length: int(random, 1, 12) }, () => pick(random, ['a', '+', '#', '', 'chat', '$x'])).join('/')],
  ])();
}

export const maybe = <T>(random: Random, probability: number, value: () => T): T | undefined =>
  chance(random, probability) ? value() : undefined;
