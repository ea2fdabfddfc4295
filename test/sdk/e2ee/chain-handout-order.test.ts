/**
 * A room's sends are not always stored in the order they were sealed: an SSE send whose POST got
 * no answer is resent after its timeout, when the sends behind it have gone through already (CI's
 * chaos fleet run saw a message stored ahead of the one that handed out its chain, unreadable for
 * every member). The sender hands its chain again, the same distribution, with every send until
 * one that carried it is acked, so whichever the platform stores first unlocks the rest; real
 * libsignal on both sides.
 */
import { decodeE2eeEnvelope, E2EE_CONTENT_TYPE, type Message } from '@mqtt-chat/protocol';
import { createLibsignalCrypto } from '@mqtt-chat/sdk/e2ee-node';
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../../sdk/src/e2ee/bytes.js';
import { createOpener, type Opener } from '../../../sdk/src/e2ee/opener.js';
import type { Recipient } from '../../../sdk/src/e2ee/peer-directory.js';
import { createRoomKeyBook, recipientKey, type RoomKeyBook } from '../../../sdk/src/e2ee/room-keys.js';
import { createSealer } from '../../../sdk/src/e2ee/sealer.js';
import { createSerialQueue } from '../../../sdk/src/e2ee/serial-queue.js';
import { createE2eeDevice, signalAddress as address, type E2eeDevice } from '../../../bench/e2ee-device.js';

const crypto = createLibsignalCrypto();
const ROOM = 'room-1';

interface Device extends E2eeDevice {
  opener: Opener;
  recipient: Recipient;
}

async function device(userId: string): Promise<Device> {
  const base = await createE2eeDevice(crypto, userId);
  const { stores, identity } = base;
  const opener = createOpener(
    { crypto, stores, queue: createSerialQueue(), own: async () => ({ address: address(userId), identity }), sentByMe: () => undefined },
    { selfUserId: userId, selfDeviceId: 'phone' },
  );
  const recipient: Recipient = {
    userId,
    deviceId: 'phone',
    signalDeviceId: 1,
    registrationId: identity.registrationId,
    identityKey: identity.publicKey,
    address: address(userId),
    key: recipientKey(userId, 1, toBase64(identity.publicKey)),
  };
  return { ...base, opener, recipient };
}

/** A sender writing to `members` (the list can grow: a new device of a member), with its key book to confirm acked hand-outs. */
async function sender(members: Device[]): Promise<{ roomKeys: RoomKeyBook; seal: (text: string) => Promise<Sealed> }> {
  const me = await device('sender');
  const room = { roomId: ROOM, encrypted: true, memberVersion: 1, members: ['sender'] };
  const roomKeys = createRoomKeyBook(me.stores.state);
  const sessions = new Set<string>();
  const sealer = createSealer(
    {
      crypto,
      stores: me.stores,
      queue: createSerialQueue(),
      api: { room: async () => room },
      directory: {
        devicesOf: async () => members.map((m) => m.recipient),
        async withSessions(list) {
          for (const m of members.filter((m) => !sessions.has(m.userId))) {
            await crypto.startSession(me.stores, address('sender'), address(m.userId), m.bundle);
            sessions.add(m.userId);
          }
          return [...list];
        },
        forget: () => undefined,
        forgetAll: () => undefined,
      },
      roomKeys,
      own: async () => ({ address: address('sender'), identity: me.identity }),
      sendDistribution: () => Promise.reject(new Error('everything fits in one message here')),
      nowMs: () => Date.now(),
    },
    { selfDeviceId: 'phone', strategy: 'sender-keys', paddingBlockBytes: 64, maxEnvelopeBytes: 64 * 1024 },
  );
  let n = 0;
  return {
    roomKeys,
    seal: async (text) => {
      const outcome = await sealer.seal({ roomId: ROOM, body: new TextEncoder().encode(text), contentType: 'text/plain' }, 1);
      if (outcome.kind !== 'sealed') throw new Error('the room is encrypted');
      n += 1;
      return { clientMsgId: `m${n}`, body: outcome.body, handedTo: outcome.handedTo };
    },
  };
}

interface Sealed {
  clientMsgId: string;
  body: Uint8Array;
  handedTo: { distributionId: string; recipients: string[] } | undefined;
}

/** What `member` reads of the sends, in the order the platform stored them (seq 1, 2, ...). */
async function read(member: Device, stored: Sealed[], firstSeq = 1): Promise<string[]> {
  const texts: string[] = [];
  for (const [i, send] of stored.entries()) {
    const message: Message = {
      roomId: ROOM,
      seq: firstSeq + i,
      epoch: 1,
      senderId: 'sender',
      senderDevice: 'phone',
      clientMsgId: send.clientMsgId,
      sentAtMs: Date.now(),
      body: send.body,
      contentType: E2EE_CONTENT_TYPE,
    };
    const opened = await member.opener.open(message);
    texts.push(opened.e2ee?.state === 'decrypted' ? new TextDecoder().decode(opened.body) : `(${opened.e2ee?.state})`);
  }
  return texts;
}

const partsOf = (send: Sealed) => decodeE2eeEnvelope(send.body).pairwise.length;

describe('sender keys when the platform stores sends out of order', () => {
  it('a message stored before the one that handed out its chain is read by every member (first contact)', async () => {
    const members = [await device('alice'), await device('bob'), await device('carol')];
    const { seal } = await sender(members);
    const first = await seal('first'); // hands out the room's first chain; its publish is lost, resent later
    const second = await seal('second');
    for (const member of members) expect(await read(member, [second, first])).toEqual(['second', 'first']);
  });

  it('a device given the chain mid-way reads a later message stored before the hand-out', async () => {
    const members = [await device('alice'), await device('bob')];
    const { seal, roomKeys } = await sender(members);
    const opening = await seal('opening');
    await roomKeys.confirm(ROOM, opening.handedTo!.distributionId, opening.handedTo!.recipients); // acked
    const dave = await device('dave'); // a new device of a member appears
    members.push(dave);
    const handOut = await seal('hand-out');
    const after = await seal('after');
    expect(await read(dave, [after, handOut], 2)).toEqual(['after', 'hand-out']);
    for (const member of members.slice(0, 2))
      expect(await read(member, [opening, after, handOut])).toEqual(['opening', 'after', 'hand-out']);
  });

  it('stops handing the chain out once a send that carried it is acked', async () => {
    const members = [await device('alice'), await device('bob')];
    const { seal, roomKeys } = await sender(members);
    const first = await seal('first');
    const second = await seal('second');
    expect([partsOf(first), partsOf(second)]).toEqual([2, 2]);
    await roomKeys.confirm(ROOM, second.handedTo!.distributionId, second.handedTo!.recipients);
    const third = await seal('third');
    expect(partsOf(third)).toBe(0);
    for (const member of members) expect(await read(member, [second, first, third])).toEqual(['second', 'first', 'third']);
  });
});
