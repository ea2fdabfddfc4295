import { describe, expect, it } from 'vitest';
import { createOutbox, STALE_RESEND_LIMIT, type OutboxOptions, type OutgoingSend } from '../../sdk/src/outbox.js';
import { NackReason } from '@mqtt-chat/protocol';
import type { SendUpdate } from '../../sdk/src/send-handle.js';
import { createVirtualClock } from '../../devtools/index.js';

const body = new TextEncoder().encode('hi');

function setup(options: Partial<OutboxOptions> = {}) {
  const clock = createVirtualClock();
  const published: (OutgoingSend & { atMs: number })[] = [];
  const refreshes: { roomId: string; version: number }[] = [];
  const progress: SendUpdate[] = [];
  let nextId = 0;
  const outbox = createOutbox(
    {
      clock,
      random: () => 0.5,
      publish: (send) => published.push({ ...send, atMs: clock.now() }),
      refreshRoom: async (roomId, version) => void refreshes.push({ roomId, version }),
      newClientMsgId: () => `c${++nextId}`,
      progress: (update) => progress.push(update),
    },
    { ackTimeoutMs: 1000, retryBackoff: { baseMs: 100, capMs: 400 }, maxOutstanding: 10, ...options },
  );
  return { clock, published, refreshes, progress, outbox };
}

const ack = (clientMsgId: string, seq: number, roomId = 'r1') => ({ roomId, clientMsgId, seq, duplicate: false });
const nack = (clientMsgId: string, reason: NackReason, roomVersion = 2, retryAfterMs = 0) => ({
  roomId: 'r1',
  clientMsgId,
  reason,
  roomVersion,
  detail: '',
  retryAfterMs,
});
const flushPromises = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('outbox', () => {
  it('publishes a send at once when online and resolves with the seq of its Ack', async () => {
    const { outbox, published } = setup();
    outbox.online();
    const sent = outbox.submit('r1', body, 'text/plain').result;
    expect(published).toMatchObject([{ roomId: 'r1', clientMsgId: 'c1', contentType: 'text/plain', atMs: 0 }]);
    expect(outbox.ack(ack('c1', 7))).toBe(true);
    await expect(sent).resolves.toEqual({ roomId: 'r1', clientMsgId: 'c1', seq: 7 });
    expect(outbox.size()).toBe(0);
  });

  it('resends with the same clientMsgId after ackTimeoutMs plus a growing, capped, jittered backoff, until the Ack', async () => {
    const { outbox, published, clock } = setup();
    outbox.online();
    const sent = outbox.submit('r1', body, '').result;
    clock.advance(10_000);
    // waits: 1000 + random(0, 100|200|400|400|...) with random = 0.5
    expect(published.map((p) => p.atMs)).toEqual([0, 1050, 2150, 3350, 4550, 5750, 6950, 8150, 9350]);
    expect(new Set(published.map((p) => p.clientMsgId))).toEqual(new Set(['c1']));
    expect(outbox.counters().resends).toBe(8);
    outbox.ack(ack('c1', 1));
    await sent;
    clock.advance(60_000);
    expect(published).toHaveLength(9);
  });

  it('holds sends while offline and publishes them oldest first when the connection is back, without a timer running meanwhile', async () => {
    const { outbox, published, clock } = setup();
    const first = outbox.submit('r1', body, '').result;
    const second = outbox.submit('r2', body, '').result;
    clock.advance(60_000);
    expect(published).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
    outbox.online();
    expect(published.map((p) => p.clientMsgId)).toEqual(['c1', 'c2']);
    outbox.offline();
    expect(clock.pendingTimers()).toBe(0);
    outbox.online();
    expect(published.map((p) => p.clientMsgId)).toEqual(['c1', 'c2', 'c1', 'c2']);
    outbox.ack(ack('c2', 1, 'r2'));
    outbox.ack(ack('c1', 4));
    await expect(Promise.all([first, second])).resolves.toMatchObject([{ seq: 4 }, { seq: 1 }]);
  });

  it("ignores Acks and Nacks that are not its own (the inbox carries those of the user's other devices)", () => {
    const { outbox } = setup();
    outbox.online();
    void outbox.submit('r1', body, '').result;
    expect(outbox.ack(ack('other-device-id', 3))).toBe(false);
    expect(outbox.ack(ack('c1', 3, 'another-room'))).toBe(false);
    expect(outbox.nack(nack('other-device-id', NackReason.NACK_REASON_NOT_MEMBER))).toBe(false);
    expect(outbox.size()).toBe(1);
  });

  it('rejects a send on a final Nack with a typed error carrying the Nack', async () => {
    const { outbox, clock } = setup();
    outbox.online();
    const sent = outbox.submit('r1', body, '').result;
    outbox.nack(nack('c1', NackReason.NACK_REASON_NOT_MEMBER));
    await expect(sent).rejects.toMatchObject({ code: 'ERR_SDK_SEND_REJECTED', nack: { reason: NackReason.NACK_REASON_NOT_MEMBER } });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('on Nack STALE_ROOM_VERSION refreshes the room, then resends with the same clientMsgId', async () => {
    const { outbox, published, refreshes } = setup();
    outbox.online();
    const sent = outbox.submit('r1', body, '').result;
    outbox.nack(nack('c1', NackReason.NACK_REASON_STALE_ROOM_VERSION, 5));
    expect(refreshes).toEqual([{ roomId: 'r1', version: 5 }]);
    await flushPromises();
    expect(published.map((p) => p.clientMsgId)).toEqual(['c1', 'c1']);
    expect(outbox.counters()).toEqual({ resends: 1, staleRefreshes: 1 });
    outbox.ack(ack('c1', 9));
    await expect(sent).resolves.toMatchObject({ seq: 9 });
  });

  it.each([
    ['RATE_LIMITED', NackReason.NACK_REASON_RATE_LIMITED],
    ['UNAVAILABLE', NackReason.NACK_REASON_UNAVAILABLE],
  ])('on a retryable Nack %s resends the same send no sooner than retryAfterMs, then resolves on its Ack', async (_name, reason) => {
    const { outbox, published, clock } = setup();
    outbox.online();
    const sent = outbox.submit('r1', body, '').result;
    expect(outbox.nack(nack('c1', reason, 2, 3000))).toBe(true);
    clock.advance(2999);
    expect(published).toHaveLength(1);
    // 3000 + random(0, 100 · 2^1) with random = 0.5 (one publish so far)
    clock.advance(101);
    expect(published.map((p) => [p.clientMsgId, p.atMs])).toEqual([
      ['c1', 0],
      ['c1', 3100],
    ]);
    outbox.ack(ack('c1', 4));
    await expect(sent).resolves.toMatchObject({ seq: 4 });
  });

  it('after a retryable Nack while offline, resends only once back online', () => {
    const { outbox, published, clock } = setup();
    outbox.online();
    void outbox.submit('r1', body, '').result;
    outbox.offline();
    outbox.nack(nack('c1', NackReason.NACK_REASON_UNAVAILABLE, 2, 1000));
    clock.advance(10_000);
    expect(published).toHaveLength(1);
    outbox.online();
    expect(published).toHaveLength(2);
  });

  it(`gives up after ${STALE_RESEND_LIMIT} stale refreshes in a row (a room churning faster than a round trip)`, async () => {
    const { outbox } = setup();
    outbox.online();
    const outcome = outbox.submit('r1', body, '').result.catch((error: unknown) => error);
    for (let i = 0; i <= STALE_RESEND_LIMIT; i += 1) {
      outbox.nack(nack('c1', NackReason.NACK_REASON_STALE_ROOM_VERSION));
      await flushPromises();
    }
    expect(await outcome).toMatchObject({ code: 'ERR_SDK_SEND_REJECTED' });
  });

  it('bounds memory: at maxOutstanding a new send is refused at once and nothing older is dropped', async () => {
    const { outbox, published } = setup({ maxOutstanding: 2 });
    outbox.online();
    const kept = [outbox.submit('r1', body, '').result, outbox.submit('r1', body, '').result];
    await expect(outbox.submit('r1', body, '').result).rejects.toMatchObject({ code: 'ERR_SDK_OUTBOX_FULL' });
    expect(published.map((p) => p.clientMsgId)).toEqual(['c1', 'c2']);
    outbox.ack(ack('c1', 1));
    await kept[0];
    void outbox.submit('r1', body, '').result;
    expect(outbox.size()).toBe(2);
  });

  it('rejects everything pending on rejectAll and stops its timers', async () => {
    const { outbox, clock } = setup();
    outbox.online();
    const sent = outbox.submit('r1', body, '').result;
    const { SdkError } = await import('../../sdk/src/errors.js');
    outbox.rejectAll(new SdkError('ERR_SDK_CLOSED', 'closed'));
    await expect(sent).rejects.toMatchObject({ code: 'ERR_SDK_CLOSED' });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports each send as pending, then acked with its seq or failed with a code, to the send and to the client', async () => {
    const { outbox, progress } = setup({ maxOutstanding: 2 });
    outbox.online();
    const own: SendUpdate[] = [];
    const acked = outbox.submit('r1', body, '', (update) => own.push(update));
    const refused = outbox.submit('r1', body, '');
    const full = outbox.submit('r1', body, '');
    await expect(full.result).rejects.toMatchObject({ code: 'ERR_SDK_OUTBOX_FULL' });
    outbox.ack(ack(acked.clientMsgId, 7));
    outbox.nack(nack(refused.clientMsgId, NackReason.NACK_REASON_NOT_MEMBER));
    await expect(refused.result).rejects.toMatchObject({ code: 'ERR_SDK_SEND_REJECTED' });
    expect(own).toEqual([
      { roomId: 'r1', clientMsgId: 'c1', state: 'pending' },
      { roomId: 'r1', clientMsgId: 'c1', state: 'acked', seq: 7 },
    ]);
    expect(progress.map((u) => `${u.clientMsgId} ${u.state} ${u.state === 'failed' ? u.code : u.state === 'acked' ? u.seq : ''}`)).toEqual([
      'c1 pending ',
      'c2 pending ',
      'c3 failed ERR_SDK_OUTBOX_FULL',
      'c1 acked 7',
      'c2 failed ERR_SDK_SEND_REJECTED',
    ]);
  });
});
