/**
 * The broker's message bus between the workers of one node without Redis: three emitters joined
 * by an in-memory hub that does what the primary does (platform/cluster-primary.ts). Local
 * delivery at once; a worker receives a room's publishes only while one of its subscribers wants
 * them; retained messages from another worker are kept; the local-only watch asks for nothing.
 */
import { describe, expect, it } from 'vitest';
import { createBusRouter } from '../../broker/bus-router.js';
import type { Packet } from '../../broker/local-first-emitter.js';
import { createMachineBusEmitter, type BusMessage, type MachineBusEmitter } from '../../broker/machine-bus-emitter.js';

function createHub() {
  const router = createBusRouter();
  const inboxes: ((message: BusMessage) => void)[] = [];
  const received: string[][] = [];
  const stored: Packet[][] = [];
  const worker = (index: number): MachineBusEmitter => {
    received[index] = [];
    stored[index] = [];
    return createMachineBusEmitter(
      {
        channel: {
          send(message) {
            // As over IPC: asynchronous, in order.
            queueMicrotask(() => {
              if (message.t === 'bus-sub') router.subscribe(index, message.filter);
              if (message.t === 'bus-unsub') router.unsubscribe(index, message.filter);
              if (message.t === 'bus-pub') {
                for (const target of router.targets(message.packet.topic, index))
                  inboxes[target]!({ t: 'bus-msg', packet: message.packet });
              }
            });
            return true;
          },
          onMessage: (listener) => void (inboxes[index] = listener),
        },
        onReceived: (topic) => received[index]!.push(topic),
        storeRetained: (packet) => stored[index]!.push(packet),
      },
      { concurrency: 10, localOnlyFilters: ['chat/room/+'] },
    );
  };
  return { router, worker, received, stored };
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
    expect(hub.router.filterCount(2)).toBe(0);

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

  it('keeps a retained message from another worker in its own persistence', async () => {
    const hub = createHub();
    const [w0, w1] = [hub.worker(0), hub.worker(1)];
    listen(w1, 'chat/presence/+', []);
    await settle();
    emit(w0, 'chat/presence/u1', 'online', true);
    emit(w0, 'chat/presence/u2', 'not retained');
    await settle();
    expect(hub.stored[1]!.map((p) => p.topic)).toEqual(['chat/presence/u1']);
    expect(hub.stored[0]).toEqual([]); // the sender's own copy is Aedes's to store
  });
});
