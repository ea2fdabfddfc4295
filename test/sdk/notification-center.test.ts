import { describe, expect, it } from 'vitest';
import { createNotificationCenter, MAX_SHOWN_PER_ROOM, type NotificationChange } from '../../sdk/src/notification-center.js';
import type { PushNotice } from '../../sdk/src/push-notice.js';
import type { Message } from '@mqtt-chat/protocol';

const ME = 'me';

/** A center over an app store the test fills, as the SDK would by delivering messages. */
function setup() {
  const lastSeq = new Map<string, number>();
  const changes: NotificationChange[] = [];
  let wakes = 0;
  const center = createNotificationCenter({
    selfUserId: ME,
    lastSeq: (roomId) => lastSeq.get(roomId) ?? 0,
    wake: () => void (wakes += 1),
    changed: (change) => void changes.push(change),
  });
  const deliver = (seq: number, senderId = 'friend', roomId = 'r') => {
    lastSeq.set(roomId, seq);
    center.messageDelivered(message(roomId, seq, senderId));
  };
  const shownTexts = () => changes.flatMap((c) => (c.kind === 'shown' ? [c.notification.text] : []));
  return { center, changes, deliver, shownTexts, wakes: () => wakes };
}

function message(roomId: string, seq: number, senderId: string): Message {
  return {
    roomId,
    seq,
    epoch: 1,
    senderId,
    senderDevice: 'phone',
    clientMsgId: `c${seq}`,
    sentAtMs: seq,
    contentType: 'text/plain',
    body: new TextEncoder().encode(`text ${seq}`),
  };
}

const push = (seq: number, roomId = 'r', badge?: number): PushNotice => ({
  kind: 'message',
  roomId,
  seq,
  dedupKey: `${roomId}:${seq}:${ME}:phone`,
  badge,
});

describe('notification center', () => {
  it('shows a placeholder for news it has not fetched, wakes the app, and replaces it with the fetched messages up to the pushed seq', () => {
    const { center, changes, deliver, shownTexts, wakes } = setup();
    expect(center.pushReceived(push(2, 'r', 2))).toBe('placeholder');
    expect(wakes()).toBe(1);
    expect(center.visible()).toEqual([{ kind: 'placeholder', roomId: 'r', text: 'New message' }]);
    deliver(1);
    expect(shownTexts()).toEqual(['New message', 'text 1']); // seq 1 is news too: the push covers up to 2
    deliver(2);
    deliver(3); // fetched as well, but no push announced it
    expect(shownTexts()).toEqual(['New message', 'text 1', 'text 2']);
    expect(center.visible().map((n) => n.text)).toEqual(['text 1', 'text 2']);
    expect(changes).toContainEqual({ kind: 'withdrawn', roomId: 'r', upToSeq: 2, placeholder: true });
    expect(center.badge()).toBe(2);
  });

  it('shows at once, without waking, what the app already holds; drops a repeated or already-handled push', () => {
    const { center, deliver, shownTexts, wakes } = setup();
    deliver(1);
    deliver(2);
    expect(center.pushReceived(push(2))).toBe('shown');
    expect(wakes()).toBe(0);
    expect(shownTexts()).toEqual(['text 1', 'text 2']);
    expect(center.pushReceived(push(2))).toBe('duplicate');
    expect(center.pushReceived({ ...push(1), dedupKey: 'another' })).toBe('stale');
    expect(shownTexts()).toEqual(['text 1', 'text 2']);
  });

  it('never notifies what the user saw in the app (foreground), so a push that raced the live delivery is stale', () => {
    const { center, deliver, shownTexts } = setup();
    center.setForeground(true);
    deliver(1);
    center.setForeground(false);
    expect(center.pushReceived(push(1))).toBe('stale');
    expect(shownTexts()).toEqual([]);
  });

  it("never notifies the user's own messages (sent from another device)", () => {
    const { center, deliver, shownTexts } = setup();
    deliver(1, ME);
    deliver(2);
    expect(center.pushReceived(push(2))).toBe('shown');
    expect(shownTexts()).toEqual(['text 2']);
  });

  it('withdraws what a retraction covers (the room was read on another device) and takes its badge', () => {
    const { center, changes, deliver } = setup();
    deliver(1);
    deliver(2);
    deliver(3);
    center.pushReceived(push(3, 'r', 3));
    const retraction: PushNotice = { kind: 'retract', roomId: 'r', readSeq: 2, dedupKey: 'r:read2', badge: 1 };
    expect(center.pushReceived(retraction)).toBe('retracted');
    expect(center.visible().map((n) => n.text)).toEqual(['text 3']);
    expect(center.badge()).toBe(1);
    expect(changes.at(-2)).toEqual({ kind: 'withdrawn', roomId: 'r', upToSeq: 2, placeholder: false });
    expect(center.pushReceived(retraction)).toBe('duplicate');
    expect(center.pushReceived(push(2))).toBe('stale'); // a push delayed past the read
  });

  it('withdraws a placeholder when the read covers what was announced before it was fetched', () => {
    const { center } = setup();
    center.pushReceived(push(4));
    center.roomRead('r', 4);
    expect(center.visible()).toEqual([]);
  });

  it('keeps rooms apart, and at most MAX_SHOWN_PER_ROOM messages per room', () => {
    const { center, deliver } = setup();
    for (let seq = 1; seq <= MAX_SHOWN_PER_ROOM + 5; seq += 1) deliver(seq);
    deliver(1, 'friend', 'other');
    center.pushReceived(push(MAX_SHOWN_PER_ROOM + 5));
    center.pushReceived(push(1, 'other'));
    const visible = center.visible();
    expect(visible.filter((n) => n.roomId === 'r')).toHaveLength(MAX_SHOWN_PER_ROOM);
    expect(visible.filter((n) => n.roomId === 'r').at(-1)).toMatchObject({ seq: MAX_SHOWN_PER_ROOM + 5 });
    expect(visible.filter((n) => n.roomId === 'other')).toEqual([
      { kind: 'message', roomId: 'other', seq: 1, senderId: 'friend', text: 'text 1' },
    ]);
  });
});
