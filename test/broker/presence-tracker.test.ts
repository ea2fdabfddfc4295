/**
 * What the presence tracker announces (retained on chat/presence/{userId}) as devices connect and
 * leave, on the in-memory presence store and a virtual clock: the last announcement of every
 * user is what the store says, also when connects and leaves crowd into one event-loop turn as
 * in a connect storm, and a user whose store update failed is not announced with a guess.
 */
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../devtools/index.js';
import { silentLogger } from '../../lib/log.js';
import { startPresenceTracker, type PresenceState } from '../../broker/presence-tracker.js';
import { decodePresence, presenceTopic } from '../../schema/index.js';
import { createMemoryPresenceStore } from '../../store/presence-store.js';

function setUp(state?: (store: PresenceState) => PresenceState) {
  const clock = createVirtualClock(1_000_000);
  const store = createMemoryPresenceStore(clock.now);
  const retained = new Map<string, { online: boolean; lastSeenMs: number }>();
  const announced: string[] = [];
  const tracker = startPresenceTracker(
    {
      state: state?.(store) ?? store,
      async publish(topic, payload, options) {
        expect(options).toEqual({ qos: 0, retain: true });
        announced.push(topic);
        const { online, lastSeenMs } = decodePresence(payload);
        retained.set(topic, { online, lastSeenMs: Number(lastSeenMs) });
      },
      clock,
      log: silentLogger(),
    },
    { refreshMs: 10_000, ttlMs: 30_000 },
  );
  const presenceOf = (userId: string) => retained.get(presenceTopic(userId));
  return { clock, store, tracker, presenceOf, announced };
}

describe('presence tracker', () => {
  it('announces each user as the store has them when connects and leaves crowd into one turn', async () => {
    const { clock, store, tracker, presenceOf } = setUp();
    tracker.deviceConnected('ann', 'phone');
    tracker.deviceConnected('ann', 'laptop');
    tracker.deviceConnected('bob', 'phone');
    tracker.deviceGone('bob', 'phone'); // in and out before the store heard of either
    tracker.deviceConnected('cat', 'phone');
    tracker.deviceGone('ann', 'laptop');
    await tracker.settled();

    expect(presenceOf('ann')).toEqual({ online: true, lastSeenMs: 0 });
    expect(presenceOf('bob')).toEqual({ online: false, lastSeenMs: clock.now() });
    expect(presenceOf('cat')).toEqual({ online: true, lastSeenMs: 0 });
    const stored = await store.read(['ann', 'bob', 'cat']);
    expect(Object.fromEntries([...stored].map(([u, p]) => [u, p.online]))).toEqual({ ann: true, bob: false, cat: true });

    clock.advance(1000);
    tracker.deviceGone('ann', 'phone'); // her last device
    tracker.deviceConnected('cat', 'laptop');
    tracker.deviceGone('cat', 'phone');
    await tracker.settled();
    expect(presenceOf('ann')).toEqual({ online: false, lastSeenMs: clock.now() });
    expect(presenceOf('cat')).toEqual({ online: true, lastSeenMs: 0 });
    tracker.stop();
  });

  it('announces online at connect and offline with last seen once the last device leaves in a later turn', async () => {
    const { clock, tracker, presenceOf } = setUp();
    tracker.deviceConnected('dan', 'phone');
    tracker.deviceConnected('dan', 'phone'); // a takeover: the newer connection of the same device
    await tracker.settled();
    expect(presenceOf('dan')).toEqual({ online: true, lastSeenMs: 0 });

    clock.advance(5000);
    tracker.deviceGone('dan', 'phone'); // the older connection: the device is still here
    await tracker.settled();
    expect(presenceOf('dan')).toEqual({ online: true, lastSeenMs: 0 });

    clock.advance(5000);
    const leftAtMs = clock.now();
    tracker.deviceGone('dan', 'phone');
    clock.advance(1000); // the leave counts from when it happened, not from when the store heard of it
    await tracker.settled();
    expect(presenceOf('dan')).toEqual({ online: false, lastSeenMs: leftAtMs });
    tracker.stop();
  });

  it('does not announce a user whose store update failed, and announces the others of the same turn', async () => {
    const { tracker, presenceOf, announced } = setUp((store) => ({
      ...store,
      refresh: (userId, deviceId, ttlMs) =>
        userId === 'eve' ? Promise.reject(new Error('store unreachable')) : store.refresh(userId, deviceId, ttlMs),
    }));
    tracker.deviceConnected('eve', 'phone');
    tracker.deviceConnected('fay', 'phone');
    await tracker.settled();
    expect(announced).toEqual([presenceTopic('fay')]);
    expect(presenceOf('fay')).toEqual({ online: true, lastSeenMs: 0 });
    tracker.stop();
  });

  it('keeps connected devices alive through refreshes, past the TTL of their first', async () => {
    const { clock, store, tracker, presenceOf } = setUp();
    tracker.deviceConnected('gus', 'phone');
    tracker.deviceConnected('hal', 'phone');
    tracker.deviceConnected('hal', 'laptop');
    tracker.deviceConnected('hal', 'laptop'); // a takeover
    await tracker.settled();
    tracker.deviceGone('hal', 'laptop');
    tracker.deviceGone('hal', 'phone');
    await tracker.settled();
    for (let refresh = 0; refresh < 6; refresh++) {
      clock.advance(10_000); // past the 30 s TTL of the connect's refresh by the end
      await tracker.settled();
    }
    const stored = await store.read(['gus', 'hal']);
    expect([stored.get('gus')?.online, stored.get('hal')?.online]).toEqual([true, true]);
    expect([presenceOf('gus'), presenceOf('hal')]).toEqual([
      { online: true, lastSeenMs: 0 },
      { online: true, lastSeenMs: 0 },
    ]);
    tracker.stop();
  });
});
