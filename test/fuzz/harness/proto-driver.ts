/**
 * Runs protobuf cases as an authenticated member publishing on its own topics (one MQTT.js
 * client per lane, reconnected when the platform closes it), while an honest member of the same
 * room keeps sending: each honest send must be acked whatever the attacker's payloads do to the
 * batches they share.
 */
import mqtt, { type MqttClient, type Packet } from 'mqtt';
import { decodeInboxItem, deviceClientId, encodeSend, inboxTopic, NackReason, roomTopic, sendTopic } from '../../../schema/index.js';
import { PACKET_OVERHEAD_BYTES } from '../../../broker/listeners.js';
import type { ProtoCase } from '../generators/proto-cases.js';
import type { FuzzDevice, FuzzWorld } from '../generators/world.js';
import type { CaseResult } from './case-result.js';
import { FUZZ_MAX_PAYLOAD_BYTES } from './platform.js';

const connectOptions = (device: FuzzDevice, waitMs: number) => ({
  clientId: deviceClientId(device.userId, device.deviceId),
  username: device.userId,
  password: device.token,
  protocolVersion: 4 as const,
  clean: true,
  reconnectPeriod: 0,
  connectTimeout: waitMs,
});

export interface LaneClient {
  publish(fuzzCase: ProtoCase): Promise<CaseResult>;
  close(): Promise<void>;
}

/** The largest packet the broker takes with the fuzz platform's MAX_PAYLOAD_BYTES. */
const maxPacketBytes = FUZZ_MAX_PAYLOAD_BYTES + PACKET_OVERHEAD_BYTES;

export function createLaneClient(mqttUrl: string, device: FuzzDevice, waitMs: number): LaneClient {
  let client: MqttClient | undefined;
  let closedOnLast = false;
  async function connected(): Promise<MqttClient | undefined> {
    if (client !== undefined && client.connected) return client;
    client?.end(true);
    // allowRetries false: a connection closed before its CONNACK rejects instead of waiting forever.
    client = await mqtt.connectAsync(mqttUrl, connectOptions(device, waitMs), false).catch(() => undefined);
    client?.on('error', () => undefined);
    return client;
  }
  return {
    async publish(fuzzCase) {
      const live = await connected();
      if (live === undefined) return { outcome: closedOnLast ? 'reconnect-failed-after-close' : 'connect-failed' };
      let stop: () => void = () => undefined;
      const outcome = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('no-ack'), waitMs);
        const onClose = () => resolve('closed');
        // QoS 0 has no answer: a PINGRESP after it says the broker read past it.
        const onPacket = (packet: Packet) => packet.cmd === 'pingresp' && resolve('written');
        stop = () => {
          clearTimeout(timer);
          live.off('close', onClose);
          live.off('packetreceive', onPacket);
        };
        live.once('close', onClose);
        live.on('packetreceive', onPacket);
        live.publish(fuzzCase.topic, fuzzCase.payload, { qos: fuzzCase.qos, retain: fuzzCase.retain }, (error) => {
          if (error !== undefined && error !== null) resolve('closed');
          else if (fuzzCase.qos > 0) resolve('acked');
          else live.sendPing();
        });
      });
      stop();
      closedOnLast = outcome === 'closed';
      // A QoS 0 send has no answer to wait for, and the broker may answer the PINGREQ while the
      // send is still being stored: this connection is left, so whatever the send does to it
      // later cannot be blamed on the next case.
      if (fuzzCase.qos === 0 && fuzzCase.topicKind === 'send') {
        live.end(true);
        client = undefined;
      }
      const result = { outcome: `${fuzzCase.topicKind} ${outcome}` };
      // Closing is how MQTT 3.1.1 refuses a PUBLISH; on the device's own topics the platform
      // documents it only for an oversized packet and for an internal failure, which is a finding.
      const isOversized = fuzzCase.payload.length + fuzzCase.topic.length + 4 > maxPacketBytes;
      if (outcome !== 'closed' || isOversized) return result;
      return {
        ...result,
        problem: {
          kind: 'publish-refused' as const,
          detail: `a ${fuzzCase.payload.length}-byte ${fuzzCase.topicKind} publish on an allowed topic closed the connection`,
        },
      };
    },
    async close() {
      await client?.endAsync(true);
    },
  };
}

const RETRYABLE = new Set<NackReason>([NackReason.NACK_REASON_RATE_LIMITED, NackReason.NACK_REASON_UNAVAILABLE]);

export interface HonestSender {
  /** Sends one honest message and resolves with a problem if it was not acked. */
  sendOne(): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function startHonestSender(mqttUrl: string, world: FuzzWorld, roomVersion: number, waitMs: number): Promise<HonestSender> {
  const { peer } = world;
  const client = await mqtt.connectAsync(mqttUrl, connectOptions(peer, waitMs), false);
  client.on('error', () => undefined);
  await client.subscribeAsync([inboxTopic(peer.userId), `${roomTopic(world.roomId)}/#`], { qos: 1 });
  const answers = new Map<string, (item: ReturnType<typeof decodeInboxItem>) => void>();
  client.on('message', (topic, payload) => {
    if (topic !== inboxTopic(peer.userId)) return; // room traffic: received only to exercise the forward path
    const item = decodeInboxItem(payload);
    const id = 'ack' in item ? item.ack.clientMsgId : 'nack' in item ? item.nack.clientMsgId : undefined;
    if (id !== undefined) answers.get(id)?.(item);
  });
  let count = 0;
  const attempt = (clientMsgId: string) =>
    new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(`no Ack within ${waitMs} ms`), waitMs);
      const onClose = () => resolve('the connection was closed');
      client.once('close', onClose);
      answers.set(clientMsgId, (item) => {
        clearTimeout(timer);
        client.off('close', onClose);
        if ('ack' in item) return resolve(undefined);
        const nack = 'nack' in item ? item.nack : undefined;
        resolve(
          nack !== undefined && RETRYABLE.has(nack.reason)
            ? `retry:${nack.retryAfterMs}`
            : `Nack ${nack === undefined ? '?' : NackReason[nack.reason]}`,
        );
      });
      const payload = encodeSend({
        roomId: world.roomId,
        clientMsgId,
        roomVersion,
        body: Buffer.from(`honest ${count}`),
        contentType: 'text/plain',
      });
      client.publish(sendTopic(peer.userId), Buffer.from(payload), { qos: 1 });
    });
  return {
    async sendOne() {
      count += 1;
      const clientMsgId = `honest-${count}`;
      for (;;) {
        if (!client.connected) return 'the connection was closed';
        const problem = await attempt(clientMsgId);
        answers.delete(clientMsgId);
        if (problem?.startsWith('retry:') !== true) return problem;
        // The platform shed the send (rate limit, database away): a device waits and resends the same id.
        await new Promise((resolve) => setTimeout(resolve, Number(problem.slice('retry:'.length))));
      }
    },
    async close() {
      await client.endAsync(true);
    },
  };
}
