/**
 * The token-expiry schedule on a virtual clock: each connection is closed at its own token's
 * expiry (not before, not later), whatever order they were watched in, however many share an
 * instant, and never once it has left or been watched again with a later expiry.
 */
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../devtools/index.js';
import { createTokenExpiry } from '../../broker/token-expiry.js';

function setUp() {
  const clock = createVirtualClock(1_000_000);
  const closed: { connection: string; atMs: number }[] = [];
  const expiry = createTokenExpiry<string>({ clock, expired: (connection) => closed.push({ connection, atMs: clock.now() }) });
  return { clock, closed, expiry };
}

describe('token expiry schedule', () => {
  it('closes every connection at its own expiry, watched in any order, several sharing one instant', () => {
    const { clock, closed, expiry } = setUp();
    const at = (s: number) => 1_000_000 + s * 1000;
    expiry.watch('c', at(30));
    expiry.watch('a', at(10));
    expiry.watch('b', at(20));
    expiry.watch('a2', at(10));
    expiry.watch('d', at(5));

    clock.advanceTo(at(5) - 1);
    expect(closed).toEqual([]);
    clock.advanceTo(at(30));
    expect(closed).toEqual([
      { connection: 'd', atMs: at(5) },
      { connection: 'a', atMs: at(10) },
      { connection: 'a2', atMs: at(10) },
      { connection: 'b', atMs: at(20) },
      { connection: 'c', atMs: at(30) },
    ]);
  });

  it('does not close a connection that left, nor one watched again with a later expiry before the first', () => {
    const { clock, closed, expiry } = setUp();
    const start = clock.now();
    expiry.watch('left', start + 1000);
    expiry.watch('renewed', start + 1000);
    expiry.watch('stays', start + 1000);
    expiry.forget('left');
    expiry.watch('renewed', start + 5000);

    clock.advanceTo(start + 4999);
    expect(closed.map((c) => c.connection)).toEqual(['stays']);
    clock.advanceTo(start + 5000);
    expect(closed.map((c) => c.connection)).toEqual(['stays', 'renewed']);
  });

  it('closes at an expiry earlier than any already scheduled, and later ones still after the earliest group emptied', () => {
    const { clock, closed, expiry } = setUp();
    const start = clock.now();
    expiry.watch('late', start + 60_000);
    expiry.watch('early', start + 2000);
    expiry.watch('gone', start + 1000);
    expiry.forget('gone');

    clock.advanceTo(start + 2000);
    expect(closed).toEqual([{ connection: 'early', atMs: start + 2000 }]);
    clock.advanceTo(start + 60_000);
    expect(closed.at(-1)).toEqual({ connection: 'late', atMs: start + 60_000 });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('closes a connection whose token expires beyond the longest single timer (about 24.8 days)', () => {
    const { clock, closed, expiry } = setUp();
    const farMs = clock.now() + 40 * 24 * 3600 * 1000;
    expiry.watch('far', farMs);
    clock.advanceTo(farMs - 1);
    expect(closed).toEqual([]);
    clock.advanceTo(farMs);
    expect(closed).toEqual([{ connection: 'far', atMs: farMs }]);
  });

  it('closes nothing after close()', () => {
    const { clock, closed, expiry } = setUp();
    expiry.watch('a', clock.now() + 1000);
    expiry.close();
    clock.advance(2000);
    expect(closed).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
