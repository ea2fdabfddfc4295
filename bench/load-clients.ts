/**
 * One simulated device on the load thread: an MQTT.js client over TCP, subscribed to its
 * inbox (Acks) and its room (Messages), as a phone running the SDK would be.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { decodeInboxItem, decodeMessage, deviceClientId, encodeSend, inboxTopic, roomTopic, sendTopic } from '../schema/index.js';
import type { ClientSpec } from './load-protocol.js';
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

export async function connectLoadClient(
  mqttUrl: string,
  spec: ClientSpec,
  index: number,
  body: Uint8Array,
  currentTracker: () => PhaseTracker | undefined,
): Promise<LoadClient> {
  const client = await mqtt.connectAsync(mqttUrl, {
    clientId: deviceClientId(spec.userId, spec.deviceId),
    username: spec.userId,
    password: spec.token,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  const inbox = inboxTopic(spec.userId);
  const room = roomTopic(spec.roomId);
  client.on('message', (topic, payload) => {
    const nowMs = performance.now(); // before decoding: the time the packet reached the device
    const tracker = currentTracker();
    if (tracker === undefined) return;
    if (topic === inbox) onInboxItem(tracker, spec.userId, payload, nowMs);
    // Only the room's receiver decodes Messages: the other members' copies cost the same to the
    // platform, and skipping them keeps the load thread's CPU for sending.
    else if (topic === room && spec.isReceiver) onRoomMessage(tracker, spec.userId, payload, nowMs);
  });
  await subscribeAll(client, [inbox, room]);
  return createSender(client, spec, index, body, currentTracker);
}

function createSender(
  client: MqttClient,
  spec: ClientSpec,
  index: number,
  body: Uint8Array,
  currentTracker: () => PhaseTracker | undefined,
): LoadClient {
  const topic = sendTopic(spec.userId);
  let sendCount = 0;
  let publishErrors = 0;
  return {
    send(sentAtMs) {
      const tracker = currentTracker();
      if (tracker === undefined) return;
      const clientMsgId = `m${++sendCount}`;
      const payload = Buffer.from(
        encodeSend({ roomId: spec.roomId, clientMsgId, roomVersion: spec.roomVersion, body, contentType: CONTENT_TYPE }),
      );
      tracker.sent(index, spec.userId, clientMsgId, sentAtMs, !spec.isReceiver);
      client.publish(topic, payload, { qos: 1 }, (error) => {
        if (error !== undefined && error !== null) publishErrors++;
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
