import { describe, expect, it } from 'vitest';
import { decidePublish, decideSubscribe, forwardScopeOf, type AclDecision } from '../../access/index.js';
import type { Identity } from '../../access/index.js';

const alice: Identity = {
  kind: 'device',
  userId: 'alice',
  deviceId: 'phone',
  tokenExpiresAtMs: Number.MAX_SAFE_INTEGER,
  tokenIssuedAtMs: 0,
};
const service: Identity = { kind: 'service' };

const allow: AclDecision = { verdict: 'allow' };
const ifMember = (roomId: string): AclDecision => ({ verdict: 'ifMember', roomId });
const ifSharesRoom = (otherUserId: string): AclDecision => ({ verdict: 'ifSharesRoom', otherUserId });
const denied = { verdict: 'deny' } as const;

/** Every kind of topic the grammar knows, plus filters and names outside it. */
const ALL_TOPICS = [
  'chat/room/r1',
  'chat/room/r1/typing',
  'chat/room/r1/receipt',
  'chat/room/r1/event',
  'chat/user/alice/send',
  'chat/user/bob/send',
  'chat/user/alice/inbox',
  'chat/user/bob/inbox',
  'chat/presence/alice',
  'chat/presence/bob',
  'chat/presence/alice/phone',
  'chat/presence/alice/laptop',
  'chat/presence/bob/phone',
  'chat/room/r1/+',
  'chat/room/r1/#',
  'chat/room/+',
  'chat/user/+/send',
  '#',
  '$SYS/broker/uptime',
  'elsewhere/topic',
];

describe('decideSubscribe', () => {
  describe('for a device', () => {
    it.each<[string, AclDecision]>([
      ['chat/user/alice/inbox', allow],
      ['chat/room/r1', ifMember('r1')],
      ['chat/room/r1/typing', ifMember('r1')],
      ['chat/room/r1/receipt', ifMember('r1')],
      ['chat/room/r1/event', ifMember('r1')],
      ['chat/room/r1/+', ifMember('r1')],
      ['chat/room/r1/#', ifMember('r1')],
      ['chat/presence/alice', allow],
      ['chat/presence/alice/laptop', allow],
      ['chat/presence/bob', ifSharesRoom('bob')],
      ['chat/presence/bob/phone', ifSharesRoom('bob')],
    ])('decides %s as %o', (filter, expected) => {
      expect(decideSubscribe(alice, filter)).toEqual(expected);
    });

    it.each([
      ["another user's inbox", 'chat/user/bob/inbox'],
      ['its own send topic (write-only)', 'chat/user/alice/send'],
      ["another user's send topic", 'chat/user/bob/send'],
      ['"#" alone', '#'],
      ['"+" alone', '+'],
      ['a wildcard in the room id', 'chat/room/+'],
      ['a wildcard room with a suffix', 'chat/room/+/typing'],
      ['every room event', 'chat/room/+/event'],
      ['every send topic', 'chat/user/+/send'],
      ['every inbox', 'chat/user/+/inbox'],
      ['every presence', 'chat/presence/+'],
      ['every device of another user', 'chat/presence/bob/+'],
      ['everything under chat', 'chat/#'],
      ['a wildcard below a room suffix', 'chat/room/r1/typing/#'],
      ['a wildcard two levels below a room', 'chat/room/r1/+/x'],
      ['a room wildcard with an invalid room id', `chat/room/${'a'.repeat(65)}/#`],
      ['a shared subscription', '$share/g/chat/room/r1'],
      ['a $SYS topic', '$SYS/broker/uptime'],
      ['a topic outside the grammar', 'elsewhere/topic'],
      ['an unknown room suffix', 'chat/room/r1/messages'],
    ])('denies %s (%s)', (_label, filter) => {
      expect(decideSubscribe(alice, filter)).toMatchObject(denied);
    });

    it('gives a reason with every denial', () => {
      const decision = decideSubscribe(alice, 'chat/user/bob/inbox');
      expect(decision.verdict === 'deny' && decision.reason.length > 0).toBe(true);
    });
  });

  describe('for a service', () => {
    it.each(ALL_TOPICS)('allows %s', (filter) => {
      expect(decideSubscribe(service, filter)).toEqual(allow);
    });
  });
});

describe('decidePublish', () => {
  describe('for a device', () => {
    it.each<[string, AclDecision]>([
      ['chat/user/alice/send', allow],
      ['chat/presence/alice/phone', allow],
      ['chat/room/r1/typing', ifMember('r1')],
      ['chat/room/r1/receipt', ifMember('r1')],
    ])('decides %s as %o', (topic, expected) => {
      expect(decidePublish(alice, topic)).toEqual(expected);
    });

    it.each([
      ['as another user', 'chat/user/bob/send'],
      ['the presence of its other device', 'chat/presence/alice/laptop'],
      ["another user's device presence", 'chat/presence/bob/phone'],
      ['a room message (platform-only)', 'chat/room/r1'],
      ['a room event (platform-only)', 'chat/room/r1/event'],
      ['to its own inbox (platform-only)', 'chat/user/alice/inbox'],
      ["to another user's inbox (platform-only)", 'chat/user/bob/inbox'],
      ['its own aggregate presence (platform-only)', 'chat/presence/alice'],
      ["another user's aggregate presence (platform-only)", 'chat/presence/bob'],
      ['to a wildcard', 'chat/room/r1/+'],
      ['to "#"', '#'],
      ['to a $SYS topic', '$SYS/broker/uptime'],
      ['outside the grammar', 'elsewhere/topic'],
    ])('denies publishing %s (%s)', (_label, topic) => {
      expect(decidePublish(alice, topic)).toMatchObject(denied);
    });
  });

  describe('for a service', () => {
    it.each(ALL_TOPICS)('allows %s', (topic) => {
      expect(decidePublish(service, topic)).toEqual(allow);
    });
  });
});

describe('forwardScopeOf', () => {
  it.each([
    ['chat/room/r1', 'r1', true],
    ['chat/room/r1/typing', 'r1', false],
    ['chat/room/r1/receipt', 'r1', false],
    ['chat/room/r1/event', 'r1', false],
  ])('re-checks membership of the room for %s', (topic, roomId, isRoomMessage) => {
    expect(forwardScopeOf(topic)).toEqual({ guard: 'member', roomId, isRoomMessage });
  });

  it.each([
    ['chat/presence/alice', 'alice'],
    ['chat/presence/alice/phone', 'alice'],
  ])('re-checks a shared room with the user of %s', (topic, userId) => {
    expect(forwardScopeOf(topic)).toEqual({ guard: 'sharesRoom', userId });
  });

  it.each([
    'chat/user/alice/send',
    'chat/user/alice/inbox',
    '$SYS/broker/uptime',
    '$platform/dropped',
    'elsewhere/topic',
    'chat/room/r1/messages',
  ])('needs no re-check for %s', (topic) => {
    expect(forwardScopeOf(topic)).toEqual({ guard: 'none' });
  });
});
