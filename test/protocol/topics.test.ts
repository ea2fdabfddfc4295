import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALL_ROOM_EVENT_TOPICS,
  ALL_SEND_TOPICS,
  deviceClientId,
  devicePresenceTopic,
  formatTopic,
  inboxTopic,
  isValidId,
  parseTopic,
  presenceTopic,
  receiptTopic,
  roomEventTopic,
  roomTopic,
  sendTopic,
  typingTopic,
  type Topic,
} from '@mqtt-chat/protocol';

const ID_ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'];
const validId = fc.string({ unit: fc.constantFrom(...ID_ALPHABET), minLength: 1, maxLength: 64 });

const validTopic: fc.Arbitrary<Topic> = fc.oneof(
  validId.map((roomId): Topic => ({ kind: 'room', roomId })),
  validId.map((roomId): Topic => ({ kind: 'typing', roomId })),
  validId.map((roomId): Topic => ({ kind: 'receipt', roomId })),
  validId.map((roomId): Topic => ({ kind: 'roomEvent', roomId })),
  validId.map((userId): Topic => ({ kind: 'send', userId })),
  validId.map((userId): Topic => ({ kind: 'inbox', userId })),
  fc.tuple(validId, validId).map(([userId, deviceId]): Topic => ({ kind: 'devicePresence', userId, deviceId })),
  validId.map((userId): Topic => ({ kind: 'presence', userId })),
);

const INVALID_IDS: readonly [string, string][] = [
  ['empty', ''],
  ['containing "/"', 'a/b'],
  ['containing "+"', 'a+b'],
  ['containing "#"', 'a#b'],
  ['a lone "+"', '+'],
  ['a lone "#"', '#'],
  ['65 characters long', 'a'.repeat(65)],
  ['containing a space', 'a b'],
  ['containing a non-ASCII letter', 'é'],
];

const BUILDERS: readonly [string, (id: string) => string][] = [
  ['roomTopic', roomTopic],
  ['typingTopic', typingTopic],
  ['receiptTopic', receiptTopic],
  ['roomEventTopic', roomEventTopic],
  ['sendTopic', sendTopic],
  ['inboxTopic', inboxTopic],
  ['presenceTopic', presenceTopic],
  ['devicePresenceTopic (user id)', (id) => devicePresenceTopic(id, 'phone')],
  ['devicePresenceTopic (device id)', (id) => devicePresenceTopic('alice', id)],
  ['deviceClientId (user id)', (id) => deviceClientId(id, 'phone')],
  ['deviceClientId (device id)', (id) => deviceClientId('alice', id)],
];

describe('topic builders', () => {
  it('build the topics of the grammar', () => {
    expect(roomTopic('r1')).toBe('chat/room/r1');
    expect(typingTopic('r1')).toBe('chat/room/r1/typing');
    expect(receiptTopic('r1')).toBe('chat/room/r1/receipt');
    expect(roomEventTopic('r1')).toBe('chat/room/r1/event');
    expect(sendTopic('alice')).toBe('chat/user/alice/send');
    expect(inboxTopic('alice')).toBe('chat/user/alice/inbox');
    expect(devicePresenceTopic('alice', 'phone')).toBe('chat/presence/alice/phone');
    expect(presenceTopic('alice')).toBe('chat/presence/alice');
  });

  it('build the device client id as userId:deviceId', () => {
    expect(deviceClientId('alice', 'phone')).toBe('alice:phone');
  });

  it('expose the service filters as wildcards over the send and room event topics', () => {
    expect(ALL_SEND_TOPICS).toBe('chat/user/+/send');
    expect(ALL_ROOM_EVENT_TOPICS).toBe('chat/room/+/event');
  });

  it('accept ids of exactly 1 and 64 characters', () => {
    expect(roomTopic('a')).toBe('chat/room/a');
    expect(roomTopic('a'.repeat(64))).toBe(`chat/room/${'a'.repeat(64)}`);
  });

  describe.each(BUILDERS)('%s', (_name, build) => {
    it.each(INVALID_IDS)('refuses an id %s with a RangeError', (_label, id) => {
      expect(() => build(id)).toThrow(RangeError);
    });
  });

  it('refuse every id outside [A-Za-z0-9_-]{1,64} (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }).filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
        (id) => {
          expect(isValidId(id)).toBe(false);
          expect(() => roomTopic(id)).toThrow(RangeError);
          expect(() => sendTopic(id)).toThrow(RangeError);
        },
      ),
    );
  });
});

describe('parseTopic', () => {
  it.each<[string, Topic]>([
    ['chat/room/r1', { kind: 'room', roomId: 'r1' }],
    ['chat/room/r1/typing', { kind: 'typing', roomId: 'r1' }],
    ['chat/room/r1/receipt', { kind: 'receipt', roomId: 'r1' }],
    ['chat/room/r1/event', { kind: 'roomEvent', roomId: 'r1' }],
    ['chat/user/alice/send', { kind: 'send', userId: 'alice' }],
    ['chat/user/alice/inbox', { kind: 'inbox', userId: 'alice' }],
    ['chat/presence/alice/phone', { kind: 'devicePresence', userId: 'alice', deviceId: 'phone' }],
    ['chat/presence/alice', { kind: 'presence', userId: 'alice' }],
  ])('parses %s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it.each([
    ['a wrong prefix', 'chad/room/r1'],
    ['an upper-case prefix', 'Chat/room/r1'],
    ['a leading slash', '/chat/room/r1'],
    ['an unknown area', 'chat/group/r1'],
    ['no id', 'chat/room'],
    ['the prefix alone', 'chat'],
    ['the empty string', ''],
    ['an empty id level', 'chat/room//typing'],
    ['a trailing slash', 'chat/room/r1/'],
    ['a trailing slash after a suffix', 'chat/room/r1/typing/'],
    ['a double slash inside', 'chat//room/r1'],
    ['an extra level after a room suffix', 'chat/room/r1/typing/x'],
    ['an extra level after a user suffix', 'chat/user/alice/send/x'],
    ['an extra level after a device presence', 'chat/presence/alice/phone/x'],
    ['an unknown room suffix', 'chat/room/r1/messages'],
    ['an unknown user suffix', 'chat/user/alice/outbox'],
    ['a user topic without suffix', 'chat/user/alice'],
    ['a suffix that is an Object.prototype key', 'chat/room/r1/constructor'],
    ['a user suffix that is an Object.prototype key', 'chat/user/alice/toString'],
    ['a "+" wildcard as id', 'chat/room/+'],
    ['a "#" wildcard as id', 'chat/room/#'],
    ['a wildcard as suffix', 'chat/room/r1/+'],
    ['a wildcard as device id', 'chat/presence/alice/+'],
    ['an id of 65 characters', `chat/room/${'a'.repeat(65)}`],
    ['a device id of 65 characters', `chat/presence/alice/${'a'.repeat(65)}`],
    ['an id with a space', 'chat/room/r 1'],
  ])('returns undefined for %s (%s)', (_label, topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });

  it('round-trips with formatTopic for every valid topic (property)', () => {
    fc.assert(
      fc.property(validTopic, (topic) => {
        const text = formatTopic(topic);
        expect(parseTopic(text)).toEqual(topic);
        expect(formatTopic(parseTopic(text)!)).toBe(text);
      }),
    );
  });

  it('returns undefined for a valid topic with an extra level appended (property)', () => {
    fc.assert(
      fc.property(validTopic, validId, (topic, extra) => {
        // A presence topic plus one level is a device presence topic, and a room topic plus a
        // known suffix is a room sub-topic; every other combination has one level too many.
        fc.pre(topic.kind !== 'presence');
        fc.pre(!(topic.kind === 'room' && ['typing', 'receipt', 'event'].includes(extra)));
        expect(parseTopic(`${formatTopic(topic)}/${extra}`)).toBeUndefined();
      }),
    );
  });

  it('returns undefined for a valid topic with one level emptied (property)', () => {
    fc.assert(
      fc.property(validTopic, fc.nat(), (topic, index) => {
        const levels = formatTopic(topic).split('/');
        levels[index % levels.length] = '';
        expect(parseTopic(levels.join('/'))).toBeUndefined();
      }),
    );
  });
});
