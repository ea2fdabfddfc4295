/**
 * The HTTP endpoints an external broker calls, called over HTTP exactly as EMQX 5 calls them:
 * its HTTP authenticator and authorizer POST their JSON body templates with the placeholders
 * (`${clientid}`, `${username}`, `${password}`, `${topic}`, `${action}`) filled in and read
 * `{"result": "allow" | "deny", "is_superuser": ...}` from a 200; its rule-engine HTTP action
 * POSTs the `$events/client_connected` / `$events/client_disconnected` row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePresence, deviceClientId, presenceTopic } from '../../schema/index.js';
import { createTokenService } from '../../lib/tokens.js';
import { createRoom, createUser, denyTokens } from '../../store/index.js';
import {
  ADMIN_TOKEN,
  EMQX_AUTHN_BODY,
  EMQX_AUTHZ_BODY,
  emqxCall,
  HOOK_TOKEN,
  JWT_SECRET,
  startExternalBrokerApi,
  type ExternalBrokerApi,
} from '../support/external-broker-api.js';

let api: ExternalBrokerApi;
let alice: string;
let bob: string;
let carol: string;
let roomId: string;

beforeAll(async () => {
  api = await startExternalBrokerApi();
  [alice, bob, carol] = (await Promise.all(['alice', 'bob', 'carol'].map(async (name) => (await createUser(api.db, { name })).id))) as [
    string,
    string,
    string,
  ];
  roomId = (await createRoom(api.db, { kind: 'group', name: 'team', memberIds: [alice, bob] })).id;
});
afterAll(async () => api?.close());

const authn = (values: { clientid: string; username: string; password: string }) =>
  emqxCall(`${api.url}/v1/broker/authn`, EMQX_AUTHN_BODY, values);
const authz = (clientid: string, username: string, action: 'publish' | 'subscribe', topic: string) =>
  emqxCall(`${api.url}/v1/broker/authz`, EMQX_AUTHZ_BODY, { clientid, username, action, topic });
/** The HTTP action of a rule `SELECT * FROM "$events/client_connected", "$events/client_disconnected"` POSTs the selected row as JSON. */
const event = (body: Record<string, unknown>) =>
  fetch(`${api.url}/v1/broker/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${HOOK_TOKEN}` },
    body: JSON.stringify(body),
  });

describe('HTTP authentication for an external broker (EMQX)', () => {
  it('allows a device whose token, username and client id agree, not as superuser, until its token expires', async () => {
    const { token, expiresAtMs } = api.tokens.issue(alice, 'phone');
    const answer = await authn({ clientid: deviceClientId(alice, 'phone'), username: alice, password: token });
    expect(answer).toEqual({ status: 200, body: { result: 'allow', is_superuser: false, expire_at: Math.floor(expiresAtMs / 1000) } });
  });

  it('denies, with a 200 EMQX reads as final, a bad token, another user name, another client id', async () => {
    const { token } = api.tokens.issue(alice, 'phone');
    const cases = [
      { clientid: deviceClientId(alice, 'phone'), username: alice, password: 'not-a-token' },
      { clientid: deviceClientId(alice, 'phone'), username: bob, password: token },
      { clientid: deviceClientId(alice, 'laptop'), username: alice, password: token },
      { clientid: deviceClientId(alice, 'phone'), username: alice, password: '' },
    ];
    for (const values of cases) expect(await authn(values)).toEqual({ status: 200, body: { result: 'deny' } });
  });

  it('denies a device whose tokens were revoked, and allows a token issued after the revocation', async () => {
    const { token: before } = api.tokens.issue(carol, 'tablet');
    await denyTokens(api.db, { userId: carol, deviceId: 'tablet', notBeforeMs: Date.now() + 1000 });
    const clientid = deviceClientId(carol, 'tablet');
    expect(await authn({ clientid, username: carol, password: before })).toEqual({ status: 200, body: { result: 'deny' } });
    const later = createTokenService({ secret: JWT_SECRET, ttlSeconds: 3600, now: () => Date.now() + 2000 }).issue(carol, 'tablet');
    expect((await authn({ clientid, username: carol, password: later.token })).body).toMatchObject({ result: 'allow' });
  });

  it('allows the platform service as superuser with the admin token, and denies it without', async () => {
    expect(await authn({ clientid: 'chat-bridge-1', username: '$platform', password: ADMIN_TOKEN })).toEqual({
      status: 200,
      body: { result: 'allow', is_superuser: true },
    });
    expect(await authn({ clientid: 'chat-bridge-1', username: '$platform', password: 'guess-guess-guess' })).toEqual({
      status: 200,
      body: { result: 'deny' },
    });
  });

  it('refuses a caller without the hook token (EMQX would read the 401 as ignore and deny at the end of its chain)', async () => {
    const { token } = api.tokens.issue(alice, 'phone');
    const values = { clientid: deviceClientId(alice, 'phone'), username: alice, password: token };
    expect((await emqxCall(`${api.url}/v1/broker/authn`, EMQX_AUTHN_BODY, values, {})).status).toBe(401);
    expect(
      (await emqxCall(`${api.url}/v1/broker/authn`, EMQX_AUTHN_BODY, values, { authorization: 'Bearer wrong-token-wrong-token' })).status,
    ).toBe(401);
  });
});

describe('HTTP authorisation for an external broker (EMQX)', () => {
  const aliceId = () => deviceClientId(alice, 'phone');

  it('applies the embedded broker topic ACL: own send and inbox, member rooms, presence of room mates', async () => {
    const allowed = [
      ['publish', `chat/user/${alice}/send`],
      ['subscribe', `chat/user/${alice}/inbox`],
      ['subscribe', `chat/room/${roomId}`],
      ['subscribe', `chat/room/${roomId}/+`],
      ['publish', `chat/room/${roomId}/typing`],
      ['subscribe', `chat/presence/${bob}`],
    ] as const;
    for (const [action, topic] of allowed)
      expect((await authz(aliceId(), alice, action, topic)).body, `${action} ${topic}`).toEqual({ result: 'allow' });
  });

  it('denies what the embedded broker denies: others’ sends and inboxes, foreign rooms and presence, wildcards, shared subscriptions, platform topics', async () => {
    const otherRoom = (await createRoom(api.db, { kind: 'group', name: 'other', memberIds: [bob, carol] })).id;
    const denied = [
      ['publish', `chat/user/${bob}/send`],
      ['subscribe', `chat/user/${bob}/inbox`],
      ['subscribe', `chat/room/${otherRoom}`],
      ['publish', `chat/room/${otherRoom}/typing`],
      ['subscribe', `chat/presence/${carol}`],
      ['subscribe', '#'],
      ['subscribe', 'chat/user/+/send'],
      ['subscribe', '$share/bridge/chat/user/+/send'],
      ['publish', `chat/room/${roomId}`],
      ['publish', `chat/presence/${alice}`],
    ] as const;
    for (const [action, topic] of denied)
      expect((await authz(aliceId(), alice, action, topic)).body, `${action} ${topic}`).toEqual({ result: 'deny' });
  });

  it('denies a client whose client id is not its username’s device, and an unknown action', async () => {
    expect((await authz(deviceClientId(bob, 'phone'), alice, 'subscribe', `chat/user/${alice}/inbox`)).body).toEqual({ result: 'deny' });
    expect(
      (
        await emqxCall(`${api.url}/v1/broker/authz`, EMQX_AUTHZ_BODY, {
          clientid: aliceId(),
          username: alice,
          action: 'all',
          topic: `chat/user/${alice}/inbox`,
        })
      ).body,
    ).toEqual({ result: 'deny' });
  });

  it('denies a removed member the room at once (the database is asked, no cache)', async () => {
    const room = (await createRoom(api.db, { kind: 'group', name: 'leaving', memberIds: [alice, bob] })).id;
    expect((await authz(aliceId(), alice, 'subscribe', `chat/room/${room}`)).body).toEqual({ result: 'allow' });
    const removed = await api.app.inject({
      method: 'DELETE',
      url: `/v1/rooms/${room}/members/${alice}`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(removed.statusCode).toBe(200);
    expect((await authz(aliceId(), alice, 'subscribe', `chat/room/${room}`)).body).toEqual({ result: 'deny' });
  });
});

describe('presence from the broker’s connect and disconnect events (EMQX rule-engine HTTP action)', () => {
  const presenceOf = (userId: string) => {
    const last = api.published.filter((p) => p.topic === presenceTopic(userId)).at(-1);
    return last === undefined ? undefined : { ...decodePresence(last.payload), retain: last.options.retain };
  };

  it('announces a device online on client.connected and offline on client.disconnected, retained', async () => {
    const clientid = deviceClientId(carol, 'phone');
    const connected = await event({ event: 'client.connected', clientid, username: carol, connected_at: Date.now(), node: 'emqx@node1' });
    expect(connected.status).toBe(204);
    expect(presenceOf(carol)).toMatchObject({ online: true, retain: true });
    const disconnected = await event({
      event: 'client.disconnected',
      clientid,
      username: carol,
      reason: 'normal',
      disconnected_at: Date.now(),
    });
    expect(disconnected.status).toBe(204);
    expect(presenceOf(carol)).toMatchObject({ online: false, retain: true });
  });

  it('keeps a device online when its old connection was taken over by a new one', async () => {
    const clientid = deviceClientId(bob, 'phone');
    await event({ event: 'client.connected', clientid, username: bob });
    const before = api.published.length;
    await event({ event: 'client.disconnected', clientid, username: bob, reason: 'takenover' });
    expect(api.published.length).toBe(before);
    expect(presenceOf(bob)).toMatchObject({ online: true });
  });

  it('ignores the platform’s own clients and other events', async () => {
    const before = api.published.length;
    expect((await event({ event: 'client.connected', clientid: 'chat-bridge-x', username: '$platform' })).status).toBe(204);
    expect((await event({ event: 'session.subscribed', clientid: deviceClientId(alice, 'phone'), username: alice })).status).toBe(204);
    expect(api.published.length).toBe(before);
  });
});
