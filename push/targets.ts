/**
 * Who gets a push for a committed message, and when (docs/push.md#who-is-pushed-and-when). Pure:
 * the outbox planner reads the facts in one transaction and this decides.
 *
 * A target is a device with a token of a member other than the sender, whose user has neither
 * read nor received the message (max(read_seq, delivered_seq) < seq). A user with no online
 * device is pushed at once. A user who looks online has until `sentAtMs + ackTimeoutMs` to
 * acknowledge the message on some device (MQTT PUBACK); after that it is pushed anyway: its
 * connection may be half-open, or it went away before the message reached it. So the worst-case
 * delay from commit to push is ackTimeoutMs + the worker's poll interval + the provider's latency.
 */
import type { OutboxItem, OutboxKey, PushTarget } from '../store/index.js';

export interface TargetFacts {
  items: readonly OutboxItem[];
  targets: readonly PushTarget[];
  /** Users with at least one online device. */
  online: ReadonlySet<string>;
  /** Marks received in this process and not yet written (the same maximum as the stored seenSeq). */
  unwrittenSeenSeq: (roomId: string, userId: string) => number;
  nowMs: number;
  ackTimeoutMs: number;
}

export interface OutboxPlan {
  /** Devices to push now. */
  push: PushTarget[];
  /** Items with members who look online and may still acknowledge: look again at `dueAtMs`. */
  revisit: (OutboxKey & { dueAtMs: number })[];
  /** Items fully handled: out of the outbox. */
  done: OutboxKey[];
}

const itemKey = (roomId: string, seq: number) => `${roomId}\u0000${seq}`;

/** The users the decision depends on the presence of: those with an unseen target. */
export function usersToCheck(facts: Pick<TargetFacts, 'targets' | 'unwrittenSeenSeq'>): string[] {
  return [...new Set(facts.targets.filter((t) => !hasSeen(t, facts.unwrittenSeenSeq)).map((t) => t.userId))];
}

const hasSeen = (target: PushTarget, unwrittenSeenSeq: TargetFacts['unwrittenSeenSeq']): boolean =>
  Math.max(target.seenSeq, unwrittenSeenSeq(target.roomId, target.userId)) >= target.seq;

export function planOutbox(facts: TargetFacts): OutboxPlan {
  const targetsByItem = new Map<string, PushTarget[]>();
  for (const target of facts.targets) {
    if (hasSeen(target, facts.unwrittenSeenSeq)) continue;
    const key = itemKey(target.roomId, target.seq);
    targetsByItem.set(key, [...(targetsByItem.get(key) ?? []), target]);
  }
  const plan: OutboxPlan = { push: [], revisit: [], done: [] };
  for (const item of facts.items) {
    const deadlineMs = item.sentAtMs + facts.ackTimeoutMs;
    const isPastDeadline = facts.nowMs >= deadlineMs;
    let isWaiting = false;
    for (const target of targetsByItem.get(itemKey(item.roomId, item.seq)) ?? []) {
      const mayStillAcknowledge = facts.online.has(target.userId) && !isPastDeadline;
      if (mayStillAcknowledge) isWaiting = true;
      else plan.push.push(target);
    }
    if (isWaiting) plan.revisit.push({ roomId: item.roomId, seq: item.seq, dueAtMs: deadlineMs });
    else plan.done.push({ roomId: item.roomId, seq: item.seq });
  }
  return plan;
}
