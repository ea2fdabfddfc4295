import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../devtools/index.js';

describe('virtual clock', () => {
  it('runs timers in due-time order, ties in the order they were set, each at its own time', () => {
    const clock = createVirtualClock();
    const ran: [string, number][] = [];
    const at = (label: string, delayMs: number) => clock.setTimeout(() => ran.push([label, clock.now()]), delayMs);
    at('c', 300);
    at('a', 100);
    at('b1', 200);
    at('b2', 200);
    clock.advanceTo(1000);
    expect(ran).toEqual([
      ['a', 100],
      ['b1', 200],
      ['b2', 200],
      ['c', 300],
    ]);
    expect(clock.now()).toBe(1000);
  });

  it('runs timers set by timers when they fall due before the end, and keeps later ones', () => {
    const clock = createVirtualClock(50);
    const ran: number[] = [];
    const tick = () => {
      ran.push(clock.now());
      clock.setTimeout(tick, 100);
    };
    clock.setTimeout(tick, 0);
    clock.advanceTo(400);
    expect(ran).toEqual([50, 150, 250, 350]);
    expect(clock.pendingTimers()).toBe(1);
    clock.advanceTo(450);
    expect(ran.at(-1)).toBe(450);
  });

  it('never runs a cleared timer', () => {
    const clock = createVirtualClock();
    const ran: string[] = [];
    const handle = clock.setTimeout(() => ran.push('cleared'), 10);
    clock.setTimeout(() => ran.push('kept'), 20);
    clock.clearTimeout(handle);
    clock.advanceTo(100);
    expect(ran).toEqual(['kept']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps a large shuffled set of timers in order', () => {
    const clock = createVirtualClock();
    const due = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000);
    const ran: number[] = [];
    for (const dueMs of due) clock.setTimeout(() => ran.push(clock.now()), dueMs);
    clock.advanceTo(5000);
    expect(ran).toEqual([...due].sort((a, b) => a - b));
  });
});
