/**
 * End-to-end encryption inside the chat client (docs/e2ee.md#the-sdk-side): the pieces composed,
 * and the hooks the client calls on its send and receive paths.
 *
 * - Sending: each publish of a send in an encrypted room goes out sealed (`sealer.ts`) for the
 *   room's current members; the sealed body is kept until the send is answered, and sealed again
 *   only when the client learns of a newer member version (a resend after a timeout carries the
 *   same bytes, which the platform dedups).
 * - Receiving: every message the client delivers passes through one queue, so messages are
 *   decrypted (`opener.ts`) and handed to the app one at a time, in the order they came.
 * - Keys: this device's own keys are synced at each connect and on KeysLow notices
 *   (`device-keys.ts`); device lists are refreshed after a reconnect and on the platform's device
 *   events, and a device whose identity changed gets a new session at once if it had one.
 */
import { E2EE_CONTENT_TYPE, RoomEventKind, type KeysLow, type Message, type RoomEvent, type Send } from '@mqtt-chat/protocol';
import type { BackoffOptions } from '../backoff.js';
import type { Clock } from '../clock.js';
import { createEmitter } from '../emitter.js';
import { SdkError } from '../errors.js';
import type { OutgoingSend } from '../outbox.js';
import type { SendUpdate } from '../send-handle.js';
import { createDeviceKeys } from './device-keys.js';
import type { E2ee, E2eeEvents, ResolvedE2eeOptions } from './e2ee-api.js';
import { createKeyApi, isTransient } from './key-api.js';
import { createOpener, type ChatMessage } from './opener.js';
import { createPeerDirectory } from './peer-directory.js';
import { createRoomKeyBook } from './room-keys.js';
import { createSealer } from './sealer.js';
import { createKeyedQueue, createSerialQueue } from './serial-queue.js';
import { createE2eeStores, type E2eeStores } from './stores.js';

/** Plaintexts of this device's sends kept for their return from the platform (its own sender key cannot open them). */
const SENT_PLAINTEXTS_KEPT = 2000;
/** Identity-change announcements remembered, so one change announced in several rooms is handled once. */
const ANNOUNCEMENTS_KEPT = 1000;

export interface E2eeEngineDeps {
  clock: Clock;
  random: () => number;
  getToken(): Promise<string>;
  /** Submits a pre-sealed send (a key distribution) to the outbox; resolves once acked. */
  submit(roomId: string, body: Uint8Array, contentType: string): Promise<unknown>;
  log(fields: Record<string, unknown>, message: string): void;
}

export interface E2eeEngineOptions {
  apiUrl: string;
  userId: string;
  deviceId: string;
  restTimeoutMs: number;
  keyRetryBackoff: BackoffOptions;
}

export interface E2eeEngine {
  readonly api: E2ee;
  /** The connection is up (and the inbox subscribed). */
  online(): void;
  offline(): void;
  roomEvent(event: RoomEvent): void;
  keysLow(notice: KeysLow): void;
  /**
   * The outbox publishes `send`: `out` gets what to put on the wire (sealed in an encrypted room),
   * at once or when sealed; `fail` a send that cannot be encrypted. A failure a retry may cure
   * (no network) does neither: the outbox's next resend tries again.
   */
  publish(send: OutgoingSend, knownVersion: number, out: (send: Send) => void, fail: (error: SdkError) => void): void;
  /** Hands `message` to `emit`, decrypted, after every message delivered before it. */
  deliver(message: Message, emit: (message: ChatMessage) => void): void;
  openAll(messages: readonly Message[]): Promise<ChatMessage[]>;
  /** A send was answered (acked or failed for good). */
  settled(update: SendUpdate): void;
  close(): void;
}

export function createE2eeEngine(deps: E2eeEngineDeps, options: E2eeEngineOptions, e2ee: ResolvedE2eeOptions): E2eeEngine {
  const { crypto, nowMs } = e2ee;
  const log = (fields: Record<string, unknown>, message: string) => deps.log(fields, message);
  const events = createEmitter<E2eeEvents>((event, error) => log({ event, err: String(error) }, 'app listener threw'));
  const stores = withIdentityEvents(createE2eeStores(e2ee.store), (change) => events.emit('identityChanged', change));
  const queue = createSerialQueue();
  const roomQueue = createKeyedQueue();
  const api = createKeyApi(
    { getToken: () => deps.getToken() },
    { apiUrl: options.apiUrl, deviceId: options.deviceId, timeoutMs: options.restTimeoutMs },
  );
  const keys = createDeviceKeys(
    {
      crypto,
      stores,
      api,
      clock: deps.clock,
      random: deps.random,
      nowMs,
      uploaded: (event) => events.emit('keysUploaded', event),
      digestMismatch: (signalDeviceId) => events.emit('keyDigestMismatch', { signalDeviceId }),
      log,
    },
    {
      userId: options.userId,
      oneTimePreKeys: e2ee.oneTimePreKeys,
      signedPreKeyRotationMs: e2ee.signedPreKeyRotationMs,
      signedPreKeyGraceMs: e2ee.signedPreKeyGraceMs,
      retryBackoff: options.keyRetryBackoff,
    },
  );
  const directory = createPeerDirectory({ crypto, stores, api, queue, log });
  const roomKeys = createRoomKeyBook(stores.state);

  /** Distribution envelopes submitted as sends of their own, with the member version they were made for. */
  const preSealed = new WeakMap<Uint8Array, number>();
  const sealer = createSealer(
    {
      crypto,
      stores,
      queue,
      api,
      directory,
      roomKeys,
      own: () => keys.own(),
      nowMs,
      async sendDistribution(roomId, body, roomVersion) {
        preSealed.set(body, roomVersion);
        await deps.submit(roomId, body, E2EE_CONTENT_TYPE);
      },
    },
    {
      selfDeviceId: options.deviceId,
      strategy: e2ee.groupStrategy,
      paddingBlockBytes: e2ee.paddingBlockBytes,
      maxEnvelopeBytes: e2ee.maxEnvelopeBytes,
    },
  );

  const sentPlaintexts = new Map<string, { body: Uint8Array; contentType: string }>();
  const opener = createOpener(
    { crypto, stores, queue, own: () => keys.own(), sentByMe: (clientMsgId) => sentPlaintexts.get(clientMsgId) },
    { selfUserId: options.userId, selfDeviceId: options.deviceId },
  );

  /**
   * Per send (clientMsgId): its sealed form, the devices it hands the room's chain to, and whether
   * an earlier seal of it went out before (then the Ack does not say which seal was stored).
   */
  const sealed = new Map<
    string,
    { send: Send; handedTo: { roomId: string; distributionId: string; recipients: string[] } | undefined; resealed: boolean }
  >();
  const sealing = new Set<string>();
  let deliveries: Promise<void> = Promise.resolve();
  const announcements = new Set<string>();

  function remember(clientMsgId: string, plaintext: { body: Uint8Array; contentType: string }): void {
    sentPlaintexts.set(clientMsgId, plaintext);
    if (sentPlaintexts.size > SENT_PLAINTEXTS_KEPT) sentPlaintexts.delete(sentPlaintexts.keys().next().value!);
  }

  async function open(message: Message): Promise<ChatMessage> {
    try {
      const opened = await opener.open(message);
      // This device's own message came back: its plaintext is no longer needed.
      if (message.senderId === options.userId && message.senderDevice === options.deviceId) sentPlaintexts.delete(message.clientMsgId);
      return opened;
    } catch (error) {
      // The store failed to persist: the message is not lost from the room, only unreadable here.
      return { ...message, body: new Uint8Array(), e2ee: { state: 'undecryptable', reason: String(error) } };
    }
  }

  /** A device that changed identity gets a new session at once, if this device had one with it. */
  async function reestablish(userId: string, deviceId: string): Promise<void> {
    const own = await keys.own();
    directory.forget(userId);
    const device = (await directory.devicesOf([userId], { ...own.address, platformDeviceId: options.deviceId })).find(
      (d) => d.deviceId === deviceId,
    );
    if (device === undefined || (await stores.identity.remote(device.address)) === undefined) return;
    await directory.withSessions([device], own.address);
  }

  function keyEvent(event: RoomEvent): void {
    const isOwnDevice = event.userId === options.userId && event.deviceId === options.deviceId;
    if (isOwnDevice) return;
    directory.forget(event.userId);
    if (event.kind !== RoomEventKind.ROOM_EVENT_KIND_IDENTITY_CHANGED || event.deviceId === undefined) return;
    // One change is announced in every encrypted room the two share, with the same time.
    const announcement = `${event.userId}/${event.deviceId}/${event.atMs}`;
    if (announcements.has(announcement)) return;
    announcements.add(announcement);
    if (announcements.size > ANNOUNCEMENTS_KEPT) announcements.delete(announcements.values().next().value!);
    reestablish(event.userId, event.deviceId).catch((error: unknown) =>
      log({ userId: event.userId, deviceId: event.deviceId, err: String(error) }, 'session not re-established'),
    );
  }

  const KEY_EVENTS: ReadonlySet<RoomEventKind> = new Set([
    RoomEventKind.ROOM_EVENT_KIND_DEVICE_ADDED,
    RoomEventKind.ROOM_EVENT_KIND_DEVICE_REMOVED,
    RoomEventKind.ROOM_EVENT_KIND_IDENTITY_CHANGED,
  ]);

  return {
    api: {
      async ready() {
        const own = await keys.own();
        return { userId: options.userId, signalDeviceId: own.address.deviceId, identityKey: own.identity.publicKey };
      },
      async safetyNumbers(userId) {
        const own = await keys.own();
        const devices = await directory.devicesOf([userId], { ...own.address, platformDeviceId: options.deviceId });
        return Promise.all(
          devices.map(async (device) => {
            const known = await stores.identity.remote(device.address);
            const identityKey = known ?? device.identityKey;
            const number = crypto.safetyNumber({ id: options.userId, identityKey: own.identity.publicKey }, { id: userId, identityKey });
            return {
              ...number,
              userId,
              deviceId: device.deviceId,
              signalDeviceId: device.signalDeviceId,
              identityKey,
              source: known === undefined ? ('platform' as const) : ('session' as const),
            };
          }),
        );
      },
      compareScannable: (ours, scanned) => crypto.compareScannable(ours, scanned),
      open,
      on: (event, listener) => events.on(event, listener),
      stats: () => ({ ...sealer.counters(), ...opener.counters() }),
    },
    online() {
      directory.forgetAll(); // device announcements may have been missed while offline
      keys.check();
    },
    offline: () => keys.pause(),
    roomEvent(event) {
      if (KEY_EVENTS.has(event.kind)) return keyEvent(event);
      if (event.kind === RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED && event.userId === options.userId) sealer.forgetRoom(event.roomId);
    },
    keysLow(notice) {
      if (notice.deviceId === options.deviceId) keys.check();
    },
    publish(send, knownVersion, out, fail) {
      const preSealedVersion = preSealed.get(send.body);
      if (preSealedVersion !== undefined) return out({ ...send, roomVersion: Math.max(preSealedVersion, knownVersion) });
      const done = sealed.get(send.clientMsgId);
      if (done !== undefined && done.send.roomVersion >= knownVersion) return out(done.send);
      if (sealing.has(send.clientMsgId)) return; // the seal in progress publishes when it is done
      sealing.add(send.clientMsgId);
      const plaintext = { body: send.body, contentType: send.contentType };
      void roomQueue
        .run(send.roomId, () => sealer.seal({ roomId: send.roomId, ...plaintext }, knownVersion))
        .then(
          (outcome) => {
            if (outcome.kind === 'plaintext') return out({ ...send, roomVersion: knownVersion });
            const wire: Send = { ...send, body: outcome.body, contentType: E2EE_CONTENT_TYPE, roomVersion: outcome.roomVersion };
            remember(send.clientMsgId, plaintext);
            const handedTo = outcome.handedTo === undefined ? undefined : { roomId: send.roomId, ...outcome.handedTo };
            sealed.set(send.clientMsgId, { send: wire, handedTo, resealed: sealed.has(send.clientMsgId) });
            out(wire);
          },
          (error: unknown) => {
            log({ roomId: send.roomId, clientMsgId: send.clientMsgId, err: String(error) }, 'send not encrypted');
            if (isTransient(error)) return;
            const reason = error instanceof SdkError && error.code === 'ERR_SDK_E2EE' ? error.message : `not encrypted: ${String(error)}`;
            fail(new SdkError('ERR_SDK_E2EE', reason, { cause: error }));
          },
        )
        .finally(() => sealing.delete(send.clientMsgId));
    },
    deliver(message, emit) {
      deliveries = deliveries.then(async () => emit(await open(message)));
    },
    async openAll(messages) {
      const opened: ChatMessage[] = [];
      for (const message of messages) opened.push(await open(message));
      return opened;
    },
    settled(update) {
      if (update.state === 'pending') return;
      const entry = sealed.get(update.clientMsgId);
      sealed.delete(update.clientMsgId);
      // An acked send carried the room's chain to its devices: later sends need not hand it again. A send that failed
      // for good confirms nothing, so the next send of the room hands the same distribution again. Nor does a send sealed
      // more than once (its room changed while it waited for an Ack): the platform may have stored an earlier seal, for
      // the members of then, and answer the later one as a duplicate, so a member added since would never get the chain.
      const handedTo = update.state === 'acked' && entry?.resealed === false ? entry.handedTo : undefined;
      if (handedTo !== undefined && handedTo.recipients.length > 0)
        void queue.run(() => roomKeys.confirm(handedTo.roomId, handedTo.distributionId, handedTo.recipients));
    },
    close() {
      keys.close();
    },
  };
}

/** The stores, with every replaced identity key reported (whichever path noticed it: a new bundle or a PreKey message). */
function withIdentityEvents(stores: E2eeStores, changed: (change: E2eeEvents['identityChanged']) => void): E2eeStores {
  return {
    ...stores,
    identity: {
      ...stores.identity,
      async saveRemote(address, identityKey) {
        const saved = await stores.identity.saveRemote(address, identityKey);
        if (saved === 'replaced') changed({ userId: address.userId, signalDeviceId: address.deviceId });
        return saved;
      },
    },
  };
}
