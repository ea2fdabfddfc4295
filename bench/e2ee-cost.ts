/**
 * What end-to-end encryption costs per message, in one process and without a network: the SDK's
 * own sealer and opener (`sdk/src/e2ee/`) with libsignal, for a room of N members with one device
 * each, sender keys against pairwise fan-out. Only the platform's answers are stood in for (the
 * room's members, the device list: what GET /v1/rooms/{id} and GET /v1/users/{id}/devices say);
 * every cryptographic step and every store write is the SDK's.
 *
 * Measured per configuration, in CPU time: the sender's CPU per message (`seal`), each recipient device's CPU
 * per message (`open`), the bytes a message carries beyond its plaintext (envelope minus plaintext),
 * and for sender keys the one-off cost of handing a new chain to the room: on first contact (PreKey
 * messages, each with a Kyber ciphertext) and over established sessions (after a membership change).
 */
import { E2EE_CONTENT_TYPE, type Message } from '@mqtt-chat/protocol';
import type { GroupStrategy, SignalCrypto } from '@mqtt-chat/sdk';
import { toBase64 } from '../sdk/src/e2ee/bytes.js';
import { createOpener } from '../sdk/src/e2ee/opener.js';
import type { Recipient } from '../sdk/src/e2ee/peer-directory.js';
import { createRoomKeyBook, recipientKey } from '../sdk/src/e2ee/room-keys.js';
import { createSealer } from '../sdk/src/e2ee/sealer.js';
import { createSerialQueue } from '../sdk/src/e2ee/serial-queue.js';
import { createE2eeDevice, signalAddress, type E2eeDevice } from './e2ee-device.js';

export interface CostRow {
  members: number;
  strategy: GroupStrategy;
  messages: number;
  /** Sender CPU per message, µs. */
  encryptUs: number;
  /** CPU per message at one recipient device, µs. */
  decryptUs: number;
  /** Envelope bytes beyond the plaintext, per message. */
  overheadBytes: number;
  /** Sender keys: handing a new chain to every device, first contact (PreKey) and over established sessions. */
  distribution?: { firstContactBytes: number; firstContactMs: number; establishedBytes: number; establishedMs: number };
}

/** CPU time of this process (user + system), not wall time: on a shared machine, waiting for a core is not the cost. */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export async function measureCost(
  crypto: SignalCrypto,
  options: { members: number; strategy: GroupStrategy; messages: number; plaintextBytes: number },
): Promise<CostRow> {
  const devices: E2eeDevice[] = [];
  for (let i = 0; i < options.members; i += 1) devices.push(await createE2eeDevice(crypto, `member${i}`));
  const [sender, ...recipients] = devices as [E2eeDevice, ...E2eeDevice[]];
  const roomId = 'bench-room';
  const room = { roomId, encrypted: true, memberVersion: 1, members: devices.map((d) => d.userId) };
  const asRecipient = (d: E2eeDevice): Recipient => ({
    userId: d.userId,
    deviceId: 'phone',
    signalDeviceId: 1,
    registrationId: d.identity.registrationId,
    identityKey: d.identity.publicKey,
    address: signalAddress(d.userId),
    key: recipientKey(d.userId, 1, toBase64(d.identity.publicKey)),
  });
  const own = { address: signalAddress(sender.userId), identity: sender.identity };
  // The SDK's directory keeps these between sends; built once here, as there.
  const recipientList = recipients.map(asRecipient);
  for (const r of recipients) await crypto.startSession(sender.stores, own.address, signalAddress(r.userId), r.bundle);

  const queue = createSerialQueue();
  const roomKeys = createRoomKeyBook(sender.stores.state);
  const sealer = createSealer(
    {
      crypto,
      stores: sender.stores,
      queue,
      api: { room: async () => room },
      directory: {
        devicesOf: async () => recipientList,
        withSessions: async (list) => [...list],
        forget: () => undefined,
        forgetAll: () => undefined,
      },
      roomKeys,
      own: async () => own,
      sendDistribution: () => Promise.reject(new Error('the benchmark sends everything in one message')),
      nowMs: () => Date.now(),
    },
    { selfDeviceId: 'phone', strategy: options.strategy, paddingBlockBytes: 64, maxEnvelopeBytes: 64 * 1024 * 1024 },
  );
  const openers = recipients.map((r) =>
    createOpener(
      {
        crypto,
        stores: r.stores,
        queue: createSerialQueue(),
        own: async () => ({ address: signalAddress(r.userId), identity: r.identity }),
        sentByMe: () => undefined,
      },
      { selfUserId: r.userId, selfDeviceId: 'phone' },
    ),
  );
  let seq = 0;
  const plaintext = new Uint8Array(options.plaintextBytes).fill(0x61);

  /** One message through the sender and every recipient: the envelope's size and the CPU each side spent. */
  async function roundTrip(): Promise<{ bytes: number; sealMs: number; openMs: number }> {
    const sealStart = cpuMs();
    const sealed = await sealer.seal({ roomId, body: plaintext, contentType: 'text/plain' }, room.memberVersion);
    const sealMs = cpuMs() - sealStart;
    if (sealed.kind !== 'sealed') throw new Error('the room is encrypted');
    seq += 1;
    const message: Message = {
      roomId,
      seq,
      epoch: 1,
      senderId: sender.userId,
      senderDevice: 'phone',
      clientMsgId: `m${seq}`,
      sentAtMs: Date.now(),
      body: sealed.body,
      contentType: E2EE_CONTENT_TYPE,
    };
    const openStart = cpuMs();
    for (const opener of openers) {
      const opened = await opener.open(message);
      if (opened.e2ee?.state !== 'decrypted') throw new Error(`recipient could not decrypt: ${JSON.stringify(opened.e2ee)}`);
    }
    // Every recipient has it, as the Ack says in the SDK: the chain is not handed again with the next message.
    if (sealed.handedTo !== undefined) await roomKeys.confirm(roomId, sealed.handedTo.distributionId, sealed.handedTo.recipients);
    return { bytes: sealed.body.length, sealMs, openMs: (cpuMs() - openStart) / openers.length };
  }

  let distribution: CostRow['distribution'];
  if (options.strategy === 'sender-keys') {
    const first = await roundTrip(); // the first chain, over sessions no recipient has answered yet: PreKey messages
    // Every recipient answers once, as a member who writes would: the sessions are established.
    for (const r of recipients) {
      const answer = await crypto.encrypt(r.stores, signalAddress(r.userId), own.address, new Uint8Array([1]));
      await crypto.decrypt(sender.stores, own.address, signalAddress(r.userId), answer);
    }
    room.memberVersion += 1; // a membership change: a new chain for everyone
    const established = await roundTrip();
    distribution = {
      firstContactBytes: first.bytes,
      firstContactMs: first.sealMs,
      establishedBytes: established.bytes,
      establishedMs: established.sealMs,
    };
  } else {
    await roundTrip(); // PreKey messages until the recipients answer
    for (const r of recipients) {
      const answer = await crypto.encrypt(r.stores, signalAddress(r.userId), own.address, new Uint8Array([1]));
      await crypto.decrypt(sender.stores, own.address, signalAddress(r.userId), answer);
    }
  }

  let [bytes, sealMs, openMs] = [0, 0, 0];
  for (let i = 0; i < options.messages; i += 1) {
    const trip = await roundTrip();
    bytes += trip.bytes;
    sealMs += trip.sealMs;
    openMs += trip.openMs;
  }
  const per = (total: number) => total / options.messages;
  return {
    members: options.members,
    strategy: options.strategy,
    messages: options.messages,
    encryptUs: per(sealMs) * 1000,
    decryptUs: per(openMs) * 1000,
    overheadBytes: per(bytes) - options.plaintextBytes,
    ...(distribution === undefined ? {} : { distribution }),
  };
}
