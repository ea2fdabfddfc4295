/**
 * The broker's message bus between the workers of one node without Redis: three emitters joined
 * by an in-memory hub that does what the primary does (platform/cluster-primary.ts). Local
 * delivery at once; a worker receives a room's publishes only while one of its subscribers wants
 * them; retained messages from another worker are kept; the local-only watch asks for nothing.
 */
import { describe, expect, it } from 'vitest';
import { createBusHub } from '../../broker/bus-router.js';
import type { Packet } from '../../broker/local-first-emitter.js';
import { createMachineBusEmitter, type BusMessage, type MachineBusEmitter } from '../../broker/machine-bus-emitter.js';

function createHub() {
  const hub = createBusHub();
  const filters = new Map<number, Set<string>>();
  const inboxes: ((message: BusMessage) => void)[] = [];
  const received: string[][] = [];
  const stored: Packet[][] = [];
  const worker = (index: number, options: { attachLater?: boolean } = {}): MachineBusEmitter & { attach(): void } => {
    received[index] = [];
    stored[index] = [];
    filters.set(index, new Set());
    const store = (packet: Packet) => stored[index]!.push(packet);
    const mq = createMachineBusEmitter(
      {
        channel: {
          send(message) {
            // As over IPC: asynchronous, in order.
            queueMicrotask(() => {
              if (message.t === 'bus-sub') filters.get(index)!.add(message.filter);
              if (message.t === 'bus-unsub') filters.get(index)!.delete(message.filter);
              for (const { to, message: onward } of hub.receive(index, message)) inboxes[to]?.(onward);
            });
            return true;
          },
          onMessage: (listener) => void (inboxes[index] = listener),
        },
        onReceived: (topic) => received[index]!.push(topic),
        ...(options.attachLater === true ? {} : { storeRetained: store }),
      },
      { concurrency: 10, localOnlyFilters: ['chat/room/+'] },
    );
    return Object.assign(mq, { attach: () => mq.setStoreRetained(store) });
  };
  return { worker, received, stored, filterCount: (index: number) => filters.get(index)!.size };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const listen = (mq: MachineBusEmitter, topic: string, seen: string[]) => {
  const listener = (packet: Packet, done: () => void) => {
    seen.push(Buffer.from(packet['payload'] as Uint8Array).toString());
    done();
  };
  mq.on(topic, listener);
  return listener;
};
const emit = (mq: MachineBusEmitter, topic: string, text: string, retain = false) => mq.emit({ topic, payload: Buffer.from(text), retain });

describe('createMachineBusEmitter', () => {
  it("delivers locally at once and to other workers only while they have the room's subscribers", async () => {
    const hub = createHub();
    const [w0, w1, w2] = [hub.worker(0), hub.worker(1), hub.worker(2)];
    const [on0, on1, watch2] = [[] as string[], [] as string[], [] as string[]];
    listen(w0, 'chat/room/r1', on0);
    const r1On1 = listen(w1, 'chat/room/r1', on1);
    listen(w1, 'chat/room/r1', on1); // a second subscriber on w1: still one copy over the bus
    listen(w2, 'chat/room/+', watch2); // the broker's local watch: asks the hub for nothing
    await settle();
    expect(hub.filterCount(2)).toBe(0);

    emit(w0, 'chat/room/r1', 'one');
    expect(on0).toEqual(['one']); // before any IPC
    await settle();
    expect(on1).toEqual(['one', 'one']); // two subscribers on w1, one bus copy
    expect(hub.received).toEqual([[], ['chat/room/r1'], []]);
    expect(watch2).toEqual([]);

    w1.removeListener('chat/room/r1', r1On1);
    emit(w0, 'chat/room/r1', 'two');
    await settle();
    expect(hub.received[1]).toHaveLength(2); // the other subscriber on w1 still wants it
    w1.removeListener('chat/room/r1', r1On1);
    await settle();
    emit(w0, 'chat/room/r1', 'three');
    await settle();
    expect(hub.received[1]).toHaveLength(2); // nobody on w1 wants r1 any more: nothing arrives
  });

  it('keeps a retained message from another worker, subscribed or not, and gives a new worker all of them', async () => {
    const hub = createHub();
    const w0 = hub.worker(0);
    hub.worker(1);
    await settle(); // both said hello
    emit(w0, 'chat/presence/u1', 'online', true); // nobody on w1 subscribes: it is kept there all the same
    emit(w0, 'chat/presence/u2', 'not retained');
    emit(w0, 'chat/presence/u3', 'online', true);
    emit(w0, 'chat/presence/u3', '', true); // cleared
    await settle();
    expect(hub.stored[1]!.map((p) => p.topic)).toEqual(['chat/presence/u1', 'chat/presence/u3', 'chat/presence/u3']);
    expect(hub.stored[0]).toEqual([]); // the sender's own copy is Aedes's to store
    expect(hub.received[1]).not.toContain('chat/presence/u2');

    // A worker started later (or restarted after a crash) gets what is retained now, even before its Aedes exists.
    const w2 = hub.worker(2, { attachLater: true });
    await settle();
    expect(hub.stored[2]).toEqual([]);
    w2.attach();
    expect(hub.stored[2]!.map((p) => [p.topic, Buffer.from(p['payload'] as Uint8Array).toString()])).toEqual([
      ['chat/presence/u1', 'online'],
    ]);
  });
});
