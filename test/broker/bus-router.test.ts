/** The in-machine bus's routing (WORKERS > 1 without Redis): a publish goes to the workers with a matching filter, once each, never back. */
import { describe, expect, it } from 'vitest';
import { createBusRouter } from '../../broker/bus-router.js';

describe('createBusRouter', () => {
  it('sends a topic only to the workers whose filters match it, once each, never to its sender', () => {
    const router = createBusRouter();
    router.subscribe(0, 'chat/room/r1');
    router.subscribe(1, 'chat/room/r2');
    router.subscribe(1, 'chat/room/+/event');
    router.subscribe(2, 'chat/room/r1');
    router.subscribe(2, 'chat/room/#'); // matches r1 too: still one copy
    expect(router.targets('chat/room/r1', 0).sort()).toEqual([2]);
    expect(router.targets('chat/room/r1', 1).sort()).toEqual([0, 2]);
    expect(router.targets('chat/room/r2', 0).sort()).toEqual([1, 2]);
    expect(router.targets('chat/room/r9/event', 2).sort()).toEqual([1]);
    expect(router.targets('chat/user/u1/inbox', 0)).toEqual([]);
  });

  it('stops at an unsubscribe, ignores a repeated one, and forgets a dead worker entirely', () => {
    const router = createBusRouter();
    router.subscribe(0, 'chat/room/r1');
    router.subscribe(0, 'chat/room/r1');
    router.subscribe(1, 'chat/room/r1');
    router.subscribe(1, '$SYS/+/new/clients');
    router.unsubscribe(0, 'chat/room/r1');
    router.unsubscribe(0, 'chat/room/r1');
    expect(router.targets('chat/room/r1', 2)).toEqual([1]);
    router.forget(1);
    expect(router.targets('chat/room/r1', 2)).toEqual([]);
    expect(router.targets('$SYS/b1/new/clients', 2)).toEqual([]);
    expect(router.filterCount(1)).toBe(0);
  });
});
