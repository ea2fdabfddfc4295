/**
 * The bridge on an external broker (Mosquitto) through its MQTT adapter: devices publish Sends
 * to Mosquitto, the bridge sequences them and publishes Messages and Acks back through it.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMqttBrokerPort, createSendPipeline, sendPipelineOptions } from '../../bridge/index.js';
import { loadConfig } from '../../lib/config.js';
import { silentLogger } from '../../lib/log.js';
import { createMetrics } from '../../lib/metrics.js';
import {
  NackReason,
  decodeInboxItem,
  decodeMessage,
  encodeSend,
  inboxTopic,
  roomTopic,
  sendTopic,
  type InboxItem,
  type Message,
} from '../../schema/index.js';
import { createRoom, createUser, openDb, type Db } from '../../store/index.js';
import { backendAvailable } from '../support/backends.js';
import { startMosquitto } from '../support/mosquitto.js';

const available = await backendAvailable('mosquitto');

describe.skipIf(!available)('bridge on an external broker (Mosquitto)', () => {
  let mosquitto: Awaited<ReturnType<typeof startMosquitto>>;
  let db: Db;
  let bridge: { close(): Promise<void> } | undefined;
  let device: MqttClient;
  const inbox: InboxItem[] = [];
  const messages: Message[] = [];
  const waiters: (() => void)[] = [];
  let userId: string;
  let roomId: string;

  /** As `npm run bridge` composes it (platform/bridge-main.ts): the MQTT adapter feeding the send pipeline, which publishes through it. */
  async function startBridgeOnMosquitto() {
    const port = await connectMqttBrokerPort({
      url: mosquitto.url,
      clientId: 'chat-bridge',
      persistentSession: true,
      maxInFlight: 1000,
      log: silentLogger(),
    });
    const sends = createSendPipeline(
      { db, publisher: port, log: silentLogger(), metrics: createMetrics() },
      { ...sendPipelineOptions(loadConfig({})), batchMaxMessages: 64 },
    );
    await port.consumeSends(sends.handlePayload);
    return {
      async close() {
        await sends.drain();
        await port.close();
      },
    };
  }

  function until(condition: () => boolean, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000);
      const check = (): void => {
        if (!condition()) {
          waiters.push(check);
          return;
        }
        clearTimeout(timer);
        resolve();
      };
      waiters.push(check);
    });
  }

  const publishSend = (clientMsgId: string, version = 1) =>
    device.publishAsync(
      sendTopic(userId),
      Buffer.from(encodeSend({ roomId, clientMsgId, roomVersion: version, body: Buffer.from(clientMsgId), contentType: '' })),
      { qos: 1 },
    );

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    ({ db } = await openDb({}));
    userId = (await createUser(db, { name: 'device owner' })).id;
    roomId = (await createRoom(db, { kind: 'group', name: 'interop', memberIds: [userId] })).id;
    bridge = await startBridgeOnMosquitto();
    device = await mqtt.connectAsync(mosquitto.url, { clientId: 'device-1', protocolVersion: 4, reconnectPeriod: 0 });
    device.on('message', (topic, payload) => {
      if (topic === inboxTopic(userId)) inbox.push(decodeInboxItem(payload));
      else messages.push(decodeMessage(payload));
      for (const waiter of waiters.splice(0)) waiter();
    });
    await device.subscribeAsync([inboxTopic(userId), roomTopic(roomId)], { qos: 1 });
  });

  afterAll(async () => {
    await device?.endAsync(true);
    await bridge?.close();
    await db?.close();
    await mosquitto?.stop();
  });

  const ackFor = (id: string) => inbox.find((i) => 'ack' in i && i.ack.clientMsgId === id);

  it('sequences sends into Messages and Acks, and dedups a retry', async () => {
    await publishSend('m1');
    await publishSend('m2');
    await publishSend('m1');
    await until(() => messages.length >= 3 && inbox.length >= 3, 'messages and acks');
    expect(messages.map((m) => [m.seq, m.clientMsgId])).toEqual([
      [1, 'm1'],
      [2, 'm2'],
      [1, 'm1'],
    ]);
    expect(inbox.filter((i) => 'ack' in i).map((i) => ('ack' in i ? [i.ack.clientMsgId, i.ack.seq, i.ack.duplicate] : []))).toEqual([
      ['m1', 1, false],
      ['m2', 2, false],
      ['m1', 1, true],
    ]);
  });

  it('answers a stale room version with a Nack through the external broker', async () => {
    await publishSend('old', 0);
    await until(() => inbox.some((i) => 'nack' in i && i.nack.clientMsgId === 'old'), 'nack');
    expect(inbox.find((i) => 'nack' in i && i.nack.clientMsgId === 'old')).toMatchObject({
      nack: { reason: NackReason.NACK_REASON_STALE_ROOM_VERSION, roomVersion: 1 },
    });
  });

  it('keeps its persistent session: sends published while the bridge is down are sequenced when it returns', async () => {
    await bridge!.close();
    bridge = undefined;
    await publishSend('while-down');
    expect(ackFor('while-down')).toBeUndefined();
    bridge = await startBridgeOnMosquitto();
    await until(() => ackFor('while-down') !== undefined, 'ack after the bridge returned');
    expect(ackFor('while-down')).toMatchObject({ ack: { seq: 3 } });
  });
});
