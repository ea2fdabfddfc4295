/**
 * Decrypting a message of an encrypted room (docs/e2ee.md#receiving): the pairwise part addressed
 * to this device first (a sender-key distribution, or the content itself with pairwise fan-out),
 * then the sender-key message. What cannot be read (a device added after the message, a member
 * removed before it, a damaged envelope) is still handed on, in its place in the room's order,
 * marked undecryptable with an empty body: seqs stay gapless for the app.
 *
 * This device's own messages come back from the platform too; their sender key has moved past
 * them, so their plaintext is taken from what the device sent (kept in memory since the send).
 */
import {
  decodeE2eeEnvelope,
  decodeE2eePairwisePayload,
  E2EE_CONTENT_TYPE,
  E2eeEnvelopeKind,
  type E2eeContent,
  type E2eeEnvelope,
  type Message,
} from '@mqtt-chat/protocol';
import type { SignalAddress, SignalCrypto } from './crypto.js';
import type { OwnDevice } from './device-keys.js';
import { decodeContentFor, partCiphertext } from './envelope.js';
import type { SerialQueue } from './serial-queue.js';
import type { E2eeStores } from './stores.js';

/** What end-to-end encryption made of a message; absent on a message that was not encrypted. */
export type MessageE2ee =
  /** `body` and `contentType` are the decrypted content. */
  | { state: 'decrypted'; senderDeviceId: number }
  /** The message only handed out the sender's keys (a distribution too large to ride along); nothing to show. */
  | { state: 'keys-only'; senderDeviceId: number }
  /** Not readable on this device (see `reason`); `body` is empty. */
  | { state: 'undecryptable'; reason: string };

/** A message as the app gets it: decrypted in place when it was encrypted. */
export interface ChatMessage extends Message {
  e2ee?: MessageE2ee;
}

export interface OpenerCounters {
  decrypted: number;
  undecryptable: number;
  /** PreKey messages whose session was opened without a one-time EC prekey (the device had run out). */
  sessionsWithoutOneTimeKey: number;
}

export interface OpenerDeps {
  crypto: SignalCrypto;
  stores: E2eeStores;
  queue: SerialQueue;
  own(): Promise<OwnDevice>;
  /** The plaintext of a send of this device, while it is remembered. */
  sentByMe(clientMsgId: string): { body: Uint8Array; contentType: string } | undefined;
}

export interface OpenerOptions {
  selfUserId: string;
  selfDeviceId: string;
}

export interface Opener {
  open(message: Message): Promise<ChatMessage>;
  counters(): OpenerCounters;
}

export function createOpener(deps: OpenerDeps, options: OpenerOptions): Opener {
  const { crypto, stores } = deps;
  const counters: OpenerCounters = { decrypted: 0, undecryptable: 0, sessionsWithoutOneTimeKey: 0 };

  function undecryptable(message: Message, reason: string): ChatMessage {
    counters.undecryptable += 1;
    return { ...message, body: new Uint8Array(), e2ee: { state: 'undecryptable', reason } };
  }

  /** The content bytes (or that it only carried keys), decrypted under the queue. */
  async function decrypt(own: OwnDevice, sender: SignalAddress, envelope: E2eeEnvelope) {
    const mine = envelope.pairwise.find((p) => p.userId === own.address.userId && p.deviceId === own.address.deviceId);
    const ciphertext = mine === undefined ? undefined : partCiphertext(mine);
    let content: Uint8Array | undefined;
    let problem: string | undefined;
    if (ciphertext !== undefined) {
      try {
        const { plaintext, usedOneTimePreKey } = await crypto.decrypt(stores, own.address, sender, ciphertext);
        if (usedOneTimePreKey === false) counters.sessionsWithoutOneTimeKey += 1;
        const payload = decodeE2eePairwisePayload(plaintext);
        if ('content' in payload) content = payload.content;
        else await crypto.processSenderKeyDistribution(stores, sender, payload.senderKeyDistribution);
      } catch (error) {
        problem = `pairwise part: ${String(error)}`;
      }
    }
    if (content === undefined && envelope.senderKeyMessage.length > 0) {
      try {
        content = await crypto.groupDecrypt(stores, sender, envelope.senderKeyMessage);
      } catch (error) {
        problem = `sender-key message: ${String(error)}`;
      }
    }
    await stores.flush();
    // A distribution sent ahead of its content shows nothing, whether or not it had a part for this device.
    const isKeysOnly = envelope.kind === E2eeEnvelopeKind.E2EE_ENVELOPE_KIND_DISTRIBUTION && problem === undefined;
    return { content, isKeysOnly, problem, senderDeviceId: envelope.senderDeviceId };
  }

  return {
    async open(message) {
      if (message.contentType !== E2EE_CONTENT_TYPE) return message;
      const isMine = message.senderId === options.selfUserId && message.senderDevice === options.selfDeviceId;
      if (isMine) {
        const sent = deps.sentByMe(message.clientMsgId);
        if (sent === undefined) return undecryptable(message, 'sent by this device, which keeps no plaintext of it');
        counters.decrypted += 1;
        return { ...message, ...sent, e2ee: { state: 'decrypted', senderDeviceId: (await deps.own()).address.deviceId } };
      }
      let own: OwnDevice;
      try {
        own = await deps.own();
      } catch (error) {
        return undecryptable(message, `this device has no keys: ${String(error)}`);
      }
      let envelope: E2eeEnvelope;
      try {
        envelope = decodeE2eeEnvelope(message.body);
      } catch (error) {
        return undecryptable(message, `malformed envelope: ${String(error)}`);
      }
      const sender = { userId: message.senderId, deviceId: envelope.senderDeviceId };
      const result = await deps.queue.run(() => decrypt(own, sender, envelope));
      if (result.isKeysOnly)
        return { ...message, body: new Uint8Array(), e2ee: { state: 'keys-only', senderDeviceId: result.senderDeviceId } };
      if (result.content === undefined) return undecryptable(message, result.problem ?? 'not encrypted for this device');
      let content: E2eeContent | undefined;
      try {
        content = decodeContentFor(message.roomId, result.content);
      } catch (error) {
        return undecryptable(message, `malformed content: ${String(error)}`);
      }
      if (content === undefined) return undecryptable(message, 'written for another room');
      counters.decrypted += 1;
      return {
        ...message,
        body: content.body,
        contentType: content.contentType,
        e2ee: { state: 'decrypted', senderDeviceId: result.senderDeviceId },
      };
    },
    counters: () => ({ ...counters }),
  };
}
