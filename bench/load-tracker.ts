/**
 * Bookkeeping of one phase on the load thread: which sends are waiting for their Ack and for
 * their delivery at the room's receiver, the latency samples, and the measured window.
 * Sends issued before the window (warm-up) complete normally but leave no samples.
 */
import { summarizeLatencies } from './stats.js';
import type { PhaseResult } from './load-protocol.js';

interface Pending {
  ownerIndex: number;
  sentAtMs: number;
  isMeasured: boolean;
  awaitingAck: boolean;
  awaitingDelivery: boolean;
}

export interface MeasuredWindow {
  startMs: number;
  endMs: number;
}

const key = (userId: string, clientMsgId: string): string => `${userId}/${clientMsgId}`;

export class PhaseTracker {
  ackedTotal = 0;
  /** Sends issued and not yet answered by an Ack or Nack. */
  unansweredSends = 0;
  private ackedInWindow = 0;
  private sentInWindow = 0;
  private nacks = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly ackLatenciesMs: number[] = [];
  private readonly deliveryLatenciesMs: number[] = [];
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly window: MeasuredWindow,
    /** Called when a client's send got its Ack or Nack: the saturation runner refills the window. */
    private readonly onSettled: (ownerIndex: number) => void,
  ) {}

  sent(ownerIndex: number, userId: string, clientMsgId: string, sentAtMs: number, expectsDelivery: boolean): void {
    const isMeasured = this.inWindow(sentAtMs);
    if (isMeasured) this.sentInWindow++;
    this.unansweredSends++;
    this.pending.set(key(userId, clientMsgId), { ownerIndex, sentAtMs, isMeasured, awaitingAck: true, awaitingDelivery: expectsDelivery });
  }

  acked(userId: string, clientMsgId: string, nowMs: number): void {
    const entry = this.pending.get(key(userId, clientMsgId));
    if (entry === undefined || !entry.awaitingAck) return; // a late ack from an earlier phase
    entry.awaitingAck = false;
    this.unansweredSends--;
    this.ackedTotal++;
    if (this.inWindow(nowMs)) this.ackedInWindow++;
    if (entry.isMeasured) this.ackLatenciesMs.push(nowMs - entry.sentAtMs);
    this.settle(userId, clientMsgId, entry);
    this.onSettled(entry.ownerIndex);
  }

  nacked(userId: string, clientMsgId: string): void {
    const entry = this.pending.get(key(userId, clientMsgId));
    if (entry === undefined || !entry.awaitingAck) return;
    this.nacks++;
    this.unansweredSends--;
    // A rejected send is never delivered: stop waiting for it.
    entry.awaitingAck = false;
    entry.awaitingDelivery = false;
    this.settle(userId, clientMsgId, entry);
    this.onSettled(entry.ownerIndex);
  }

  delivered(senderId: string, clientMsgId: string, nowMs: number): void {
    const entry = this.pending.get(key(senderId, clientMsgId));
    if (entry === undefined || !entry.awaitingDelivery) return;
    entry.awaitingDelivery = false;
    if (entry.isMeasured) this.deliveryLatenciesMs.push(nowMs - entry.sentAtMs);
    this.settle(senderId, clientMsgId, entry);
  }

  /** Resolves once every send has its Ack and delivery, or after `limitMs` (what is left is counted as lost). */
  whenIdle(limitMs: number): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  result(extra: Pick<PhaseResult, 'generatorLagP99Ms' | 'loadLoopUtilization' | 'publishErrors' | 'notOffered'>): PhaseResult {
    const measuredPending = [...this.pending.values()].filter((p) => p.isMeasured);
    const windowSeconds = (this.window.endMs - this.window.startMs) / 1000;
    return {
      sentInWindow: this.sentInWindow,
      ackedInWindow: this.ackedInWindow,
      ackedMsgsPerSec: this.ackedInWindow / windowSeconds,
      ack: summarizeLatencies(this.ackLatenciesMs),
      delivery: summarizeLatencies(this.deliveryLatenciesMs),
      nacks: this.nacks,
      unacked: measuredPending.filter((p) => p.awaitingAck).length,
      undelivered: measuredPending.filter((p) => p.awaitingDelivery).length,
      ...extra,
    };
  }

  private inWindow(atMs: number): boolean {
    return atMs >= this.window.startMs && atMs < this.window.endMs;
  }

  private settle(userId: string, clientMsgId: string, entry: Pending): void {
    if (entry.awaitingAck || entry.awaitingDelivery) return;
    this.pending.delete(key(userId, clientMsgId));
    if (this.pending.size === 0) this.onIdle?.();
  }
}
