import { describe, expect, it } from 'vitest';
import type { Clock } from '@mqtt-chat/sdk';
import { createNatMapping } from '../../../mobile-sim/net/nat-mapping.js';
import { createVirtualClock } from '../../../devtools/index.js';

const IDLE_MS = 300_000;

function setup() {
  const clock = createVirtualClock();
  const drops: number[] = [];
  const mapping = createNatMapping({ clock, onDrop: (atMs) => drops.push(atMs) }, { idleTimeoutMs: IDLE_MS });
  return { clock, drops, mapping };
}

describe('NAT mapping', () => {
  it('goes exactly idleTimeoutMs after the last packet, with no packet in between', () => {
    const { clock, drops, mapping } = setup();
    clock.advance(IDLE_MS - 1);
    expect(mapping.isOpen()).toBe(true);
    clock.advance(1);
    expect(drops).toEqual([IDLE_MS]);
    expect(mapping.isOpen()).toBe(false);
    expect(mapping.droppedAtMs()).toBe(IDLE_MS);
  });

  it('restarts the idle timer with every packet that passes', () => {
    const { clock, drops, mapping } = setup();
    for (let n = 1; n <= 5; n++) {
      clock.advance(IDLE_MS - 1);
      expect(mapping.pass()).toBe(true);
    }
    clock.advance(IDLE_MS - 1);
    expect(drops).toEqual([]);
    clock.advance(1);
    expect(drops).toEqual([6 * IDLE_MS - 5]);
  });

  it('refuses a packet that arrives at the deadline, even before the timer has run', () => {
    // A clock whose timers never run: only the rule in pass() can drop the mapping.
    let nowMs = 0;
    const lazyClock: Clock = { now: () => nowMs, setTimeout: () => 0, clearTimeout: () => undefined };
    const drops: number[] = [];
    const mapping = createNatMapping({ clock: lazyClock, onDrop: (atMs) => drops.push(atMs) }, { idleTimeoutMs: IDLE_MS });
    nowMs = IDLE_MS - 1;
    expect(mapping.pass()).toBe(true);
    nowMs = 2 * IDLE_MS - 1;
    expect(mapping.pass()).toBe(false);
    expect(drops).toEqual([2 * IDLE_MS - 1]);
  });

  it('discards everything after the drop and never comes back', () => {
    const { clock, drops, mapping } = setup();
    clock.advance(IDLE_MS);
    expect([mapping.pass(), mapping.pass()]).toEqual([false, false]);
    clock.advance(10 * IDLE_MS);
    expect(mapping.pass()).toBe(false);
    expect(drops).toHaveLength(1);
  });

  it('drops at once on drop(), and only once', () => {
    const { clock, drops, mapping } = setup();
    clock.advance(1000);
    mapping.drop();
    mapping.drop();
    clock.advance(IDLE_MS);
    expect(drops).toEqual([1000]);
    expect(mapping.pass()).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('stops its timer on close() without calling it a drop', () => {
    const { clock, drops, mapping } = setup();
    mapping.close();
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(2 * IDLE_MS);
    expect(drops).toEqual([]);
    expect(mapping.pass()).toBe(false);
  });

  it('keeps a single timer however many packets pass', () => {
    const { clock, mapping } = setup();
    for (let n = 0; n < 100; n++) {
      clock.advance(1000);
      mapping.pass();
    }
    expect(clock.pendingTimers()).toBe(1);
  });

  it('rejects an idle timeout that is not positive', () => {
    const clock = createVirtualClock();
    expect(() => createNatMapping({ clock }, { idleTimeoutMs: 0 })).toThrow(/idleTimeoutMs/);
  });
});
