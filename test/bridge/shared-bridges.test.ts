/**
 * Two bridge processes on an external broker (a real Mosquitto) sharing the sends through a
 * shared subscription (`BROKER_SHARED_GROUP`, `$share/bridge/chat/user/+/send`), on one
 * PostgreSQL: devices in several rooms send in windows, one bridge is killed with SIGKILL in the
 * middle of the burst, and the devices resend what was not acked, as the SDK does. Every send
 * must end acked, each room's history gapless and in the order of its seqs, each send stored
 * once, and a resend of an acked send answered as a duplicate with its original seq.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInboxItem, deviceClientId, encodeSend, inboxTopic, sendTopic, type Ack } from '../../schema/index.js';
import { createRoom, createUser, getHistory, openDb, type Db } from '../../store/index.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { startMosquitto, type RunningMosquitto } from '../support/mosquitto.js';
import { spawnPart, type PartProcess } from '../support/platform-process.js';

const available = (await backendAvailable('mosquitto')) && (await backendAvailable('postgres'));

const USERS = 6;
const ROOMS = 3;
const SENDS_PER_USER_PER_ROOM = 20;
const TOTAL = USERS * ROOMS * SENDS_PER_USER_PER_ROOM;
/** Sends a device has in flight at once: the burst spreads over time, so a bridge can die in the middle of it. */
const WINDOW = 4;
/** The devices' retry policy: a send without an Ack after this long is published again (the SDK's is similar). */
const RESEND_AFTER_MS = 1_000;
const LIMIT_MS = 60_000;

interface PendingSend {
  roomId: string;
  clientMsgId: string;
  sentAtMs: number;
}

/** A device on Mosquitto that sends its share in a window and resends what stays unacked. */
class SendingDevice {
  readonly acks = new Map<string, Ack>();
  readonly duplicateAcks: Ack[] = [];
  private readonly pending = new Map<string, PendingSend>();
  private readonly queue: { roomId: string; clientMsgId: string }[] = [];
  private resendTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly userId: string,
    private readonly client: MqttClient,
    private readonly onAck: () => void,
  ) {}

  static async connect(url: string, userId: string, onAck: () => void): Promise<SendingDevice> {
    const client = await mqtt.connectAsync(url, { clientId: deviceClientId(userId, 'phone'), protocolVersion: 4, reconnectPeriod: 0 });
    const device = new SendingDevice(userId, client, onAck);
    client.on('message', (_topic, payload) => device.received(payload));
    await client.subscribeAsync(inboxTopic(userId), { qos: 1 });
    return device;
  }

  start(sends: { roomId: string; clientMsgId: string }[]): void {
    this.queue.push(...sends);
    this.fill();
    this.resendTimer = setInterval(() => this.resendStale(), RESEND_AFTER_MS / 4);
  }

  /** Publishes a send again under its clientMsgId, acked or not. */
  resend(roomId: string, clientMsgId: string): void {
    this.publish({ roomId, clientMsgId, sentAtMs: Date.now() });
  }

  async close(): Promise<void> {
    clearInterval(this.resendTimer);
    await this.client.endAsync(true);
  }

  private received(payload: Buffer): void {
    const item = decodeInboxItem(payload);
    if (!('ack' in item)) return;
    const { ack } = item;
    if (ack.duplicate) this.duplicateAcks.push(ack);
    if (!this.acks.has(ack.clientMsgId)) this.acks.set(ack.clientMsgId, ack);
    this.pending.delete(ack.clientMsgId);
    this.fill();
    this.onAck();
  }

  private fill(): void {
    while (this.pending.size < WINDOW && this.queue.length > 0) {
      const next = this.queue.shift()!;
      const send = { ...next, sentAtMs: Date.now() };
      this.pending.set(send.clientMsgId, send);
      this.publish(send);
    }
  }

  private resendStale(): void {
    const now = Date.now();
    for (const send of this.pending.values()) {
      if (now - send.sentAtMs < RESEND_AFTER_MS) continue;
      send.sentAtMs = now;
      this.publish(send);
    }
  }

  private publish(send: PendingSend): void {
    const payload = encodeSend({
      roomId: send.roomId,
      clientMsgId: send.clientMsgId,
      roomVersion: 1,
      body: Buffer.from(send.clientMsgId),
      contentType: 'text/plain',
    });
    this.client.publish(sendTopic(this.userId), Buffer.from(payload), { qos: 1 });
  }
}

describe.skipIf(!available)('bridges sharing the sends of an external broker (Mosquitto, shared subscription)', () => {
  let mosquitto: RunningMosquitto;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Db;
  let dataDir: string;
  const bridges: PartProcess[] = [];
  const devices: SendingDevice[] = [];
  const roomIds: string[] = [];
  const ackWaiters: (() => void)[] = [];

  const acked = () => devices.reduce((sum, device) => sum + device.acks.size, 0);
  const onAck = () => {
    for (const waiter of ackWaiters.splice(0)) waiter();
  };
  function until(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (${acked()} of ${TOTAL} acked)`)), LIMIT_MS);
      const check = () => {
        if (!condition()) return void ackWaiters.push(check);
        clearTimeout(timer);
        resolve();
      };
      check();
    });
  }

  const startBridge = () =>
    spawnPart(
      'bridge',
      {
        DATABASE_URL: database.url,
        BROKER_URL: mosquitto.url,
        BROKER_SHARED_GROUP: 'bridge',
        DATA_DIR: dataDir,
        JWT_SECRET: 'shared-bridges-test-secret-0123456789abcdef',
        ADMIN_TOKEN: 'shared-bridges-admin-token',
        BATCH_MAX_WAIT_MS: '2',
      },
      /bridge: consuming sends from \S+ \(shared group bridge\)/,
    );

  beforeAll(async () => {
    // `debug` makes Mosquitto log every PUBLISH it sends and to which client: how the sends were shared.
    mosquitto = await startMosquitto({ logTypes: ['debug'] });
    database = await createTestDatabase();
    ({ db } = await openDb({ databaseUrl: database.url }));
    dataDir = await mkdtemp(join(tmpdir(), 'shared-bridges-'));
    const userIds: string[] = [];
    for (let u = 0; u < USERS; u += 1) userIds.push((await createUser(db, { name: `user ${u}` })).id);
    for (let r = 0; r < ROOMS; r += 1) roomIds.push((await createRoom(db, { kind: 'group', name: `room ${r}`, memberIds: userIds })).id);
    bridges.push(...(await Promise.all([startBridge(), startBridge()])));
    for (const userId of userIds) devices.push(await SendingDevice.connect(mosquitto.url, userId, onAck));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.close()));
    await Promise.all(bridges.map((bridge) => bridge.stop()));
    await db?.close();
    await database?.drop();
    await mosquitto?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('acks every send, keeps each room gapless, stores each send once, and loses nothing when a bridge dies mid-burst', async () => {
    for (const device of devices) {
      const sends = roomIds.flatMap((roomId, r) =>
        Array.from({ length: SENDS_PER_USER_PER_ROOM }, (_, i) => ({ roomId, clientMsgId: `${device.userId}-r${r}-${i}` })),
      );
      device.start(sends);
    }
    await until(() => acked() >= TOTAL / 3, 'a third of the sends acked');
    const sharedBeforeKill = sendsDeliveredPerBridge(mosquitto.log());
    const killedAtAcked = acked();
    await bridges[0]!.stop('SIGKILL');
    await until(() => acked() === TOTAL, 'every send acked');

    // Both bridges took a share of the sends before one was killed, and the burst was not over then.
    expect([...sharedBeforeKill.values()].filter((count) => count > 0)).toHaveLength(2);
    expect(killedAtAcked).toBeLessThan(TOTAL);

    const ackOf = new Map<string, Ack>();
    for (const device of devices) for (const [id, ack] of device.acks) ackOf.set(id, ack);
    expect(ackOf.size).toBe(TOTAL);
    for (const roomId of roomIds) {
      const history = await getHistory(db, roomId, { limit: 500 });
      const seqs = history.messages.map((m) => m.seq);
      // Gapless from 1, one row per send: no acked send lost, none stored twice.
      expect(seqs).toEqual(Array.from({ length: USERS * SENDS_PER_USER_PER_ROOM }, (_, i) => i + 1));
      const ids = history.messages.map((m) => m.clientMsgId);
      expect(new Set(ids).size).toBe(ids.length);
      // What each device was told is what was stored.
      for (const message of history.messages) expect(ackOf.get(message.clientMsgId)).toMatchObject({ roomId, seq: message.seq });
    }
  }, 120_000);

  it('answers a resend of an acked send as a duplicate with its original seq, through the surviving bridge', async () => {
    const device = devices[0]!;
    const [clientMsgId, original] = [...device.acks][0]!;
    const before = device.duplicateAcks.length;
    device.resend(original.roomId, clientMsgId);
    await until(() => device.duplicateAcks.slice(before).some((ack) => ack.clientMsgId === clientMsgId), 'the duplicate ack');
    expect(device.duplicateAcks.slice(before).find((ack) => ack.clientMsgId === clientMsgId)).toMatchObject({
      roomId: original.roomId,
      seq: original.seq,
      duplicate: true,
    });
    const history = await getHistory(db, original.roomId, { limit: 500 });
    expect(history.messages.filter((m) => m.clientMsgId === clientMsgId)).toHaveLength(1);
  });
});

/** Per bridge client id, the sends Mosquitto delivered to it, read from its debug log ("Sending PUBLISH to <id> (... 'chat/user/…/send', …)"). */
function sendsDeliveredPerBridge(log: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of log.matchAll(/Sending PUBLISH to (chat-bridge-\S+) \([^)]*'chat\/user\/[^/']+\/send'/g)) {
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  return counts;
}
