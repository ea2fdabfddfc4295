/**
 * Encrypting a send for its room (docs/e2ee.md#group-messages-sender-keys): for every device of
 * every member, the sender's own other devices included. The room's members and member version
 * come from the platform (GET /v1/rooms/{id}, fetched again when the client learns of a newer
 * version), and the send carries that version: a send encrypted for an older membership is Nacked
 * STALE_ROOM_VERSION by the platform, and the client encrypts it again for the new one.
 *
 * Two strategies. Sender keys (the default): the content is encrypted once with this device's
 * sender key for the room; devices that do not hold the current chain get it pairwise in the same
 * message (a chain too large to ride along goes first, in key-distribution messages of its own,
 * each stored before the content is sent, so every member meets the keys before the content).
 * Pairwise fan-out: the content itself is encrypted for each device (measured against sender keys
 * by `npm run bench:e2ee`).
 */
import { E2eeEnvelopeKind, encodeE2eeEnvelope, encodeE2eePairwisePayload, type E2eeEnvelope, type E2eePairwise } from '@mqtt-chat/protocol';
import { SdkError } from '../errors.js';
import { fromBase64, toBase64 } from './bytes.js';
import type { SignalCrypto } from './crypto.js';
import type { OwnDevice } from './device-keys.js';
import { encodeContent, pairwisePart, splitEnvelope } from './envelope.js';
import type { KeyApi, RoomMembers } from './key-api.js';
import type { PeerDirectory, Recipient } from './peer-directory.js';
import { planDistribution, type RoomKeyBook } from './room-keys.js';
import type { SerialQueue } from './serial-queue.js';
import { senderKeyKey, type E2eeStores } from './stores.js';

export type GroupStrategy = 'sender-keys' | 'pairwise';

export interface PlainSend {
  roomId: string;
  body: Uint8Array;
  contentType: string;
}

export type SealOutcome =
  | { kind: 'plaintext' }
  | {
      kind: 'sealed';
      body: Uint8Array;
      roomVersion: number;
      /** The devices this send hands the room's chain to (sender keys), so its Ack can tell that they hold it. */
      handedTo: { distributionId: string; recipients: string[] } | undefined;
    };

export interface SealerCounters {
  encrypted: number;
  pairwiseParts: number;
  rotations: number;
  distributionMessages: number;
}

export interface SealerDeps {
  crypto: SignalCrypto;
  stores: E2eeStores;
  /** The device's one crypto queue. */
  queue: SerialQueue;
  api: Pick<KeyApi, 'room'>;
  directory: PeerDirectory;
  roomKeys: RoomKeyBook;
  own(): Promise<OwnDevice>;
  /** Sends a key-distribution envelope as a message of its own; resolves once the platform stored it. */
  sendDistribution(roomId: string, body: Uint8Array, roomVersion: number): Promise<void>;
  nowMs(): number;
}

export interface SealerOptions {
  selfDeviceId: string;
  strategy: GroupStrategy;
  paddingBlockBytes: number;
  maxEnvelopeBytes: number;
}

export interface Sealer {
  seal(send: PlainSend, knownVersion: number): Promise<SealOutcome>;
  /** The user left the room: forget its members. */
  forgetRoom(roomId: string): void;
  counters(): SealerCounters;
}

export function createSealer(deps: SealerDeps, options: SealerOptions): Sealer {
  const { crypto, stores } = deps;
  const rooms = new Map<string, RoomMembers>();
  const counters: SealerCounters = { encrypted: 0, pairwiseParts: 0, rotations: 0, distributionMessages: 0 };

  async function roomOf(roomId: string, knownVersion: number): Promise<RoomMembers> {
    const cached = rooms.get(roomId);
    // A plaintext room stays plaintext: no need to ask again when its members change.
    const isCurrent = cached !== undefined && (!cached.encrypted || cached.memberVersion >= knownVersion);
    if (isCurrent) return cached;
    const room = await deps.api.room(roomId);
    rooms.set(roomId, room);
    return room;
  }

  async function encryptFor(recipient: Recipient, own: OwnDevice, payload: Uint8Array): Promise<E2eePairwise> {
    counters.pairwiseParts += 1;
    return pairwisePart(recipient.userId, recipient.signalDeviceId, await crypto.encrypt(stores, own.address, recipient.address, payload));
  }

  async function withSenderKey(roomId: string, room: RoomMembers, own: OwnDevice, reachable: Recipient[], content: Uint8Array) {
    const byKey = new Map(reachable.map((r) => [r.key, r]));
    const current = await deps.roomKeys.get(roomId);
    const plan = planDistribution(current, [...byKey.keys()], room.memberVersion);
    let distributionId = current?.distributionId ?? '';
    if (plan.rotate) {
      if (current !== undefined) await stores.senderKeys.delete(senderKeyKey(own.address, current.distributionId));
      distributionId = crypto.newDistributionId();
      counters.rotations += 1;
    }
    const pairwise: E2eePairwise[] = [];
    // Devices handed this chain by sends not acked yet get the same distribution again (see `RoomSenderKey.unconfirmed`).
    const unconfirmed: Record<string, string> = plan.rotate ? {} : { ...current?.unconfirmed };
    const again = Object.keys(unconfirmed).filter((key) => byKey.has(key) && !plan.handTo.includes(key));
    for (const key of again) {
      const payload = encodeE2eePairwisePayload({ senderKeyDistribution: fromBase64(unconfirmed[key]!) });
      pairwise.push(await encryptFor(byKey.get(key)!, own, payload));
    }
    if (plan.rotate || plan.handTo.length > 0) {
      const distribution = await crypto.senderKeyDistribution(stores, own.address, distributionId);
      const payload = encodeE2eePairwisePayload({ senderKeyDistribution: distribution });
      for (const key of plan.handTo) {
        pairwise.push(await encryptFor(byKey.get(key)!, own, payload));
        unconfirmed[key] = toBase64(distribution);
      }
    }
    // After the distribution: it hands out the chain at the iteration this message uses.
    const senderKeyMessage = await crypto.groupEncrypt(stores, own.address, distributionId, content);
    if (plan.rotate || current === undefined) {
      await deps.roomKeys.set(roomId, {
        distributionId,
        memberVersion: room.memberVersion,
        recipients: plan.handTo,
        unconfirmed,
        createdAtMs: deps.nowMs(),
      });
    } else if (plan.handTo.length > 0) {
      await deps.roomKeys.set(roomId, { ...current, recipients: [...current.recipients, ...plan.handTo], unconfirmed });
    }
    const kind = E2eeEnvelopeKind.E2EE_ENVELOPE_KIND_SENDER_KEY;
    const envelope: E2eeEnvelope = { senderDeviceId: own.address.deviceId, pairwise, senderKeyMessage, kind };
    return { envelope, handedTo: { distributionId, recipients: [...again, ...plan.handTo] } };
  }

  async function pairwiseOnly(own: OwnDevice, reachable: Recipient[], content: Uint8Array): Promise<E2eeEnvelope> {
    const payload = encodeE2eePairwisePayload({ content });
    const pairwise: E2eePairwise[] = [];
    for (const recipient of reachable) pairwise.push(await encryptFor(recipient, own, payload));
    const kind = E2eeEnvelopeKind.E2EE_ENVELOPE_KIND_PAIRWISE;
    return { senderDeviceId: own.address.deviceId, pairwise, senderKeyMessage: new Uint8Array(), kind };
  }

  return {
    async seal(send, knownVersion) {
      const room = await roomOf(send.roomId, knownVersion);
      if (!room.encrypted) return { kind: 'plaintext' };
      const own = await deps.own();
      const devices = await deps.directory.devicesOf(room.members, { ...own.address, platformDeviceId: options.selfDeviceId });
      const reachable = await deps.directory.withSessions(devices, own.address);
      const content = encodeContent({ roomId: send.roomId, body: send.body, contentType: send.contentType }, options.paddingBlockBytes);
      const sealed = await deps.queue.run(async () => {
        const result =
          options.strategy === 'pairwise'
            ? { envelope: await pairwiseOnly(own, reachable, content), handedTo: undefined }
            : await withSenderKey(send.roomId, room, own, reachable, content);
        await stores.flush(); // the ratchets moved: on disk before the ciphertext leaves
        counters.encrypted += 1;
        return result;
      });
      const split = splitEnvelope(sealed.envelope, options.maxEnvelopeBytes);
      if (split === undefined) {
        throw new SdkError('ERR_SDK_E2EE', `the encrypted message exceeds ${options.maxEnvelopeBytes} bytes (${options.strategy})`);
      }
      counters.distributionMessages += split.before.length;
      await Promise.all(
        split.before.map((envelope) => deps.sendDistribution(send.roomId, encodeE2eeEnvelope(envelope), room.memberVersion)),
      );
      return { kind: 'sealed', body: encodeE2eeEnvelope(split.last), roomVersion: room.memberVersion, handedTo: sealed.handedTo };
    },
    forgetRoom: (roomId) => void rooms.delete(roomId),
    counters: () => ({ ...counters }),
  };
}
