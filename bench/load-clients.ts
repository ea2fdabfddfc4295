/**
 * One simulated device on the load thread: an MQTT.js client over TCP.
 * - against the platform it is a phone running the SDK: subscribed to its inbox (Acks) and its
 *   room (Messages), it publishes Sends to its send topic;
 * - against the plain Aedes baseline it is a bare MQTT client: subscribed to its room, it
 *   publishes a Message-shaped protobuf (the bytes the platform fans out) straight to the room
 *   topic, and the broker's PUBACK is its ack.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  decodeInboxItem,
  decodeMessage,
  deviceClientId,
  encodeMessage,
  encodeSend,
  inboxTopic,
  roomTopic,
  sendTopic,
} from '../schema/index.js';
import type { ClientSpec, LoadTarget } from './load-protocol.js';
import type { PhaseTracker } from './load-tracker.js';

const CONNECT_TIMEOUT_MS = 10_000;
const SUBACK_REFUSED = 128;
const CONTENT_TYPE = 'application/octet-stream';

export interface LoadClient {
  /** Issues one Send; `sentAtMs` is when it was meant to go (open-loop pacing), not when it went. */
  send(sentAtMs: number): void;
  /** Publishes that failed locally (connection gone): a healthy run has none. */
  readonly publishErrors: number;
  close(): Promise<void>;
}

/** Where one client's sends go and what marks them acked. */
interface Route {
  topic: string;
  payload(clientMsgId: string, seq: number): Uint8Array;
  /** True: the PUBACK is the ack (plain broker); false: an Ack arrives in the inbox (platform). */
  isAckedAtPuback: boolean;
}

export async function connectLoadClient(
  target: LoadTarget,
  mqttUrl: string,
  spec: ClientSpec,
  index: number,
  body: Uint8Array,
  currentTracker: () => PhaseTracker | undefined,
): Promise<LoadClient> {
  const isPlatform = target === 'platform';
  const client = await mqtt.connectAsync(mqttUrl, {
    // Aedes' default limit on client ids is 23 characters; the platform raises it for `{userId}:{deviceId}`.
    clientId: isPlatform ? deviceClientId(spec.userId, spec.deviceId) : spec.userId,
    ...(isPlatform ? { username: spec.userId, password: spec.token } : {}),
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  const inbox = isPlatform ? inboxTopic(spec.userId) : undefined;
  const room = roomTopic(spec.roomId);
  client.on('message', (topic, payload) => {
    const nowMs = performance.now(); // before decoding: the time the packet reached the device
    const tracker = currentTracker();
    if (tracker === undefined) return;
    if (topic === inbox) onInboxItem(tracker, spec.userId, payload, nowMs);
    // Only the room's receiver decodes Messages: the other members' copies cost the same to the
    // broker, and skipping them keeps the load thread's CPU for sending.
    else if (topic === room && spec.isReceiver) onRoomMessage(tracker, spec.userId, payload, nowMs);
  });
  await subscribeAll(client, inbox === undefined ? [room] : [inbox, room]);
  const route: Route = isPlatform
    ? {
        topic: sendTopic(spec.userId),
        payload: (clientMsgId) =>
          encodeSend({ roomId: spec.roomId, clientMsgId, roomVersion: spec.roomVersion, body, contentType: CONTENT_TYPE }),
        isAckedAtPuback: false,
      }
    : {
        topic: room,
        payload: (clientMsgId, seq) =>
          encodeMessage({
            roomId: spec.roomId,
            seq,
            epoch: 1,
            senderId: spec.userId,
            senderDevice: spec.deviceId,
            clientMsgId,
            sentAtMs: Date.now(),
            body,
            contentType: CONTENT_TYPE,
          }),
        isAckedAtPuback: true,
      };
  return createSender(client, spec, index, route, currentTracker);
}

function createSender(
  client: MqttClient,
  spec: ClientSpec,
  index: number,
  route: Route,
  currentTracker: () => PhaseTracker | undefined,
): LoadClient {
  let sendCount = 0;
  let publishErrors = 0;
  return {
    send(sentAtMs) {
      const tracker = currentTracker();
      if (tracker === undefined) return;
      const seq = ++sendCount;
      const clientMsgId = `m${seq}`;
      const payload = Buffer.from(route.payload(clientMsgId, seq));
      tracker.sent(index, spec.userId, clientMsgId, sentAtMs, !spec.isReceiver);
      client.publish(route.topic, payload, { qos: 1 }, (error) => {
        if (error !== undefined && error !== null) publishErrors++;
        // MQTT.js calls back at the PUBACK; a late one from an earlier phase finds no pending send.
        else if (route.isAckedAtPuback) currentTracker()?.acked(spec.userId, clientMsgId, performance.now());
      });
    },
    get publishErrors() {
      return publishErrors;
    },
    async close() {
      await client.endAsync(true);
    },
  };
}

function onInboxItem(tracker: PhaseTracker, userId: string, payload: Buffer, nowMs: number): void {
  const item = decodeInboxItem(payload);
  if ('ack' in item) tracker.acked(userId, item.ack.clientMsgId, nowMs);
  else if ('nack' in item) tracker.nacked(userId, item.nack.clientMsgId);
}

function onRoomMessage(tracker: PhaseTracker, receiverId: string, payload: Buffer, nowMs: number): void {
  const message = decodeMessage(payload);
  if (message.senderId !== receiverId) tracker.delivered(message.senderId, message.clientMsgId, nowMs);
}

async function subscribeAll(client: MqttClient, topics: string[]): Promise<void> {
  const granted = await client.subscribeAsync(topics, { qos: 1 });
  const refused = granted.filter((g) => g.qos === SUBACK_REFUSED).map((g) => g.topic);
  if (refused.length > 0) throw new Error(`subscription refused: ${refused.join(', ')}`);
}
