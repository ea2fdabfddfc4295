/**
 * A simulated phone for integration tests: a real MQTT.js client that records everything it
 * receives (decoded), with `waitFor` to await an observation instead of sleeping.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  decodeInboxItem,
  decodeMessage,
  deviceClientId,
  encodeSend,
  inboxTopic,
  parseTopic,
  roomTopic,
  type InboxItem,
  type Message,
} from '../../schema/index.js';

export const WAIT_LIMIT_MS = 10_000;

export type Observation =
  { kind: 'message'; message: Message } | { kind: 'inbox'; item: InboxItem } | { kind: 'other'; topic: string; payload: Buffer };

export class TestDevice {
  readonly observations: Observation[] = [];
  private waiters: { test: (o: Observation) => boolean; resolve: (o: Observation) => void }[] = [];

  private constructor(
    readonly client: MqttClient,
    readonly userId: string,
  ) {
    client.on('message', (topic, payload) => this.observe(topic, payload));
  }

  static async connect(
    url: string,
    userId: string,
    deviceId: string,
    token: string,
    extra: Partial<IClientOptions> = {},
  ): Promise<TestDevice> {
    const client = await mqtt.connectAsync(url, {
      clientId: deviceClientId(userId, deviceId),
      username: userId,
      password: token,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: WAIT_LIMIT_MS,
      ...extra,
    });
    const device = new TestDevice(client, userId);
    await client.subscribeAsync(inboxTopic(userId), { qos: 1 });
    return device;
  }

  /** Subscribes to a room; resolves with the granted QoS (128 = refused). */
  async joinRoom(roomId: string): Promise<number> {
    try {
      const granted = await this.client.subscribeAsync(roomTopic(roomId), { qos: 1 });
      return granted[0]?.qos ?? 128;
    } catch (error) {
      // MQTT.js rejects a SUBACK that refuses every filter; the return code is on the packet.
      const refused = (error as { packet?: { granted?: number[] } }).packet?.granted?.[0];
      if (refused === undefined) throw error;
      return refused;
    }
  }

  /** Publishes a Send at QoS 1 and resolves on its PUBACK. */
  async send(roomId: string, clientMsgId: string, roomVersion: number, text: string): Promise<void> {
    const payload = Buffer.from(encodeSend({ roomId, clientMsgId, roomVersion, body: Buffer.from(text), contentType: 'text/plain' }));
    await this.client.publishAsync(`chat/user/${this.userId}/send`, payload, { qos: 1 });
  }

  messages(roomId: string): Message[] {
    return this.observations.flatMap((o) => (o.kind === 'message' && o.message.roomId === roomId ? [o.message] : []));
  }

  inbox(): InboxItem[] {
    return this.observations.flatMap((o) => (o.kind === 'inbox' ? [o.item] : []));
  }

  /** Resolves with the first observation (already seen or future) that passes `test`. */
  waitFor(test: (o: Observation) => boolean, what = 'observation'): Promise<Observation> {
    const seen = this.observations.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.userId}: no ${what} within ${WAIT_LIMIT_MS} ms`)), WAIT_LIMIT_MS);
      this.waiters.push({
        test,
        resolve: (o) => {
          clearTimeout(timer);
          resolve(o);
        },
      });
    });
  }

  waitForAck(clientMsgId: string) {
    return this.waitFor((o) => o.kind === 'inbox' && 'ack' in o.item && o.item.ack.clientMsgId === clientMsgId, `ack ${clientMsgId}`).then(
      (o) => (o as { item: { ack: { seq: number; duplicate: boolean } } }).item.ack,
    );
  }

  waitForNack(clientMsgId: string) {
    return this.waitFor(
      (o) => o.kind === 'inbox' && 'nack' in o.item && o.item.nack.clientMsgId === clientMsgId,
      `nack ${clientMsgId}`,
    ).then((o) => (o as { item: { nack: { reason: number; roomVersion: number; detail: string; retryAfterMs: number } } }).item.nack);
  }

  waitForMessages(roomId: string, count: number): Promise<Message[]> {
    return this.waitFor(() => this.messages(roomId).length >= count, `${count} messages in ${roomId}`).then(() => this.messages(roomId));
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  private observe(topic: string, payload: Buffer): void {
    const kind = parseTopic(topic)?.kind;
    let observation: Observation;
    try {
      observation =
        kind === 'room'
          ? { kind: 'message', message: decodeMessage(payload) }
          : kind === 'inbox'
            ? { kind: 'inbox', item: decodeInboxItem(payload) }
            : { kind: 'other', topic, payload };
    } catch {
      observation = { kind: 'other', topic, payload };
    }
    this.observations.push(observation);
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(observation)) return true;
      w.resolve(observation);
      return false;
    });
  }
}
