/**
 * `npm run demo`: starts the embedded platform in-process, creates alice and bob in a room,
 * and lets them chat over MQTT (alice on TCP, bob on WebSocket), printing what each phone
 * sees: acks with their seqs, delivered messages, and a Nack for a stale room version; then bob's
 * app is put away and woken by a push (`demo-push.ts`).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { loadConfig } from '../lib/config.js';
import { silentLogger } from '../lib/log.js';
import { startPlatform } from '../platform/platform.js';
import { startLocalPushStubs } from '../platform/push-providers.js';
import {
  NackReason,
  decodeInboxItem,
  decodeMessage,
  deviceClientId,
  encodeSend,
  inboxTopic,
  roomTopic,
  sendTopic,
} from '../schema/index.js';
import { openDb } from '../store/index.js';
import { playPushAct } from './demo-push.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

say('starting the embedded platform (PGlite in memory)...');
const { db } = await openDb({});
const pushStubs = await startLocalPushStubs({ requestTimeoutMs: 5_000 });
// A short ack deadline: a device that disconnects without a clean goodbye is pushed after 2 s, not 15.
const platform = await startPlatform(loadConfig({ MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', PUSH_ACK_TIMEOUT_MS: '2000' }), {
  db,
  secrets: { jwtSecret: 'demo-secret-demo-secret-demo-secret', adminToken: 'demo-admin-token' },
  log: silentLogger(),
  pushProviders: pushStubs.providers,
});

async function admin(method: string, url: string, body?: object): Promise<Record<string, unknown>> {
  const r = await platform.api.inject({
    method: method as 'POST',
    url,
    headers: { authorization: `Bearer ${platform.adminToken}` },
    ...(body ? { payload: body } : {}),
  });
  return r.json();
}

const alice = (await admin('POST', '/v1/users', { name: 'alice' }))['id'] as string;
const bob = (await admin('POST', '/v1/users', { name: 'bob' }))['id'] as string;
const names: Record<string, string> = { [alice]: 'alice', [bob]: 'bob' };
const room = await admin('POST', '/v1/rooms', { name: 'demo', kind: 'group', members: [alice, bob] });
const roomId = room['id'] as string;
say(`room ${roomId} with alice (${alice}) and bob (${bob}), memberVersion ${String(room['memberVersion'])}\n`);

const tokenFor = async (userId: string, deviceId: string) => (await admin('POST', '/v1/tokens', { userId, deviceId }))['token'] as string;

async function phone(userId: string, url: string): Promise<MqttClient> {
  const token = await tokenFor(userId, 'phone');
  const client = await mqtt.connectAsync(url, {
    clientId: deviceClientId(userId, 'phone'),
    username: userId,
    password: token,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  client.on('message', (topic, payload) => {
    const who = names[userId]!.padEnd(5);
    if (topic === inboxTopic(userId)) {
      const item = decodeInboxItem(payload);
      if ('ack' in item)
        say(`  ${who} | ack   ${item.ack.clientMsgId} -> seq ${item.ack.seq}${item.ack.duplicate ? ' (duplicate of a stored send)' : ''}`);
      if ('nack' in item)
        say(`  ${who} | nack  ${item.nack.clientMsgId}: ${NackReason[item.nack.reason]} (room is at version ${item.nack.roomVersion})`);
      return;
    }
    const m = decodeMessage(payload);
    say(`  ${who} | recv  #${m.seq} from ${names[m.senderId]}: ${Buffer.from(m.body).toString()}`);
  });
  await client.subscribeAsync([inboxTopic(userId), roomTopic(roomId)], { qos: 1 });
  return client;
}

// Both plaintext listeners are on (port 0 above).
const alicePhone = await phone(alice, platform.endpoints.mqtt!);
const bobPhone = await phone(bob, platform.endpoints.ws!);
const send = (client: MqttClient, userId: string, id: string, text: string, version = 1) =>
  client.publishAsync(
    sendTopic(userId),
    Buffer.from(encodeSend({ roomId, clientMsgId: id, roomVersion: version, body: Buffer.from(text), contentType: 'text/plain' })),
    { qos: 1 },
  );

say('alice (MQTT/TCP) and bob (MQTT/WebSocket) chat; each PUBACK below means "committed":');
await send(alicePhone, alice, 'a-1', 'hi bob!');
await send(bobPhone, bob, 'b-1', 'hey alice');
await send(alicePhone, alice, 'a-2', 'lunch?');
say('\nalice retries a-2 (as after a lost connection): same seq, stored once');
await send(alicePhone, alice, 'a-2', 'lunch?');
say('\nthe admin adds carol; bob still sends with the old room version');
const carol = (await admin('POST', '/v1/users', { name: 'carol' }))['id'] as string;
await admin('POST', `/v1/rooms/${roomId}/members`, { userId: carol });
await send(bobPhone, bob, 'b-2', 'sure', 1);
await platform.sends.drain();
const history = await admin('GET', `/v1/rooms/${roomId}/messages?after=0`);
say(
  `\nhistory over REST: ${(history['messages'] as { seq: number }[]).map((m) => `#${m.seq}`).join(' ')} (lastSeq ${String(history['lastSeq'])})`,
);

await bobPhone.endAsync();
await playPushAct({
  mqttUrl: platform.endpoints.mqtt!,
  apiUrl: platform.endpoints.api,
  apnsStubUrl: pushStubs.apnsStub.url,
  roomId,
  bob: { userId: bob, token: await tokenFor(bob, 'phone') },
  names,
  aliceSays: async (text) => void (await send(alicePhone, alice, 'a-3', text, 2)),
  lastSeq: async () => (await admin('GET', `/v1/rooms/${roomId}/messages?after=0`))['lastSeq'] as number,
  say,
});

await alicePhone.endAsync();
await platform.close();
await pushStubs.close();
await db.close();
