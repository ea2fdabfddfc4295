/** Who is pushed for a message, and when (push/targets.ts): offline at once, online after the ack deadline. */
import { describe, expect, it } from 'vitest';
import { planOutbox, usersToCheck } from '../../push/targets.js';
import type { OutboxItem, PushTarget } from '../../store/index.js';

const item: OutboxItem = { roomId: 'r', seq: 5, senderId: 'alice', sentAtMs: 10_000 };
const target = (userId: string, over: Partial<PushTarget> = {}): PushTarget => ({
  roomId: 'r',
  seq: 5,
  userId,
  deviceId: 'phone',
  platform: 'apns',
  seenSeq: 4,
  ...over,
});
const base = { items: [item], unwrittenSeenSeq: () => 0, ackTimeoutMs: 1_000 };

describe('planOutbox', () => {
  it('pushes every device of a user with no online device at once, and is done with the message', () => {
    const targets = [target('bob'), target('bob', { deviceId: 'tablet', platform: 'fcm' })];
    expect(planOutbox({ ...base, targets, online: new Set(), nowMs: 10_000 })).toEqual({
      push: targets,
      revisit: [],
      done: [{ roomId: 'r', seq: 5 }],
    });
  });

  it('gives a user who looks online until commit + ackTimeoutMs, then pushes it', () => {
    const targets = [target('bob'), target('carol')];
    const early = planOutbox({ ...base, targets, online: new Set(['bob']), nowMs: 10_500 });
    expect(early).toEqual({ push: [targets[1]], revisit: [{ roomId: 'r', seq: 5, dueAtMs: 11_000 }], done: [] });
    const late = planOutbox({ ...base, targets, online: new Set(['bob']), nowMs: 11_000 });
    expect(late).toEqual({ push: targets, revisit: [], done: [{ roomId: 'r', seq: 5 }] });
  });

  it('skips users who read or received the message, stored or still in memory', () => {
    const targets = [target('bob', { seenSeq: 5 }), target('carol'), target('dave')];
    const plan = planOutbox({
      ...base,
      targets,
      online: new Set(),
      nowMs: 10_000,
      unwrittenSeenSeq: (_, userId) => (userId === 'carol' ? 6 : 0),
    });
    expect(plan.push.map((t) => t.userId)).toEqual(['dave']);
    expect(usersToCheck({ targets, unwrittenSeenSeq: (_, userId) => (userId === 'carol' ? 6 : 0) })).toEqual(['dave']);
  });

  it('is done with a message nobody needs a push for (no targets, or the message is gone)', () => {
    const gone: OutboxItem = { roomId: 'r', seq: 6, senderId: undefined, sentAtMs: 0 };
    expect(planOutbox({ ...base, items: [item, gone], targets: [], online: new Set(), nowMs: 10_000 }).done).toEqual([
      { roomId: 'r', seq: 5 },
      { roomId: 'r', seq: 6 },
    ]);
  });
});
