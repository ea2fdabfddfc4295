/**
 * The EMQX adapter of the BrokerAdmin port, against a stub that speaks EMQX 5's documented REST
 * API (EMQX itself is not available here): `GET /api/v5/clients?username=&_page=&_limit=` answers
 * `{"data": [{"clientid", "username", ...}], "meta": {"page", "limit", "hasnext", "count"}}`,
 * `DELETE /api/v5/clients/{clientid}` answers 204, or 404 `{"code": "CLIENTID_NOT_FOUND"}`; both
 * need the API key and secret as HTTP basic credentials (401 otherwise).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerAdminError, createEmqxAdmin } from '../../api/index.js';
import { deviceClientId } from '../../schema/index.js';
import { createRoom, createUser } from '../../store/index.js';
import { ADMIN_TOKEN, startExternalBrokerApi, type ExternalBrokerApi } from '../support/external-broker-api.js';

const API_KEY = 'chat-platform';
const API_SECRET = 'emqx-api-secret';

interface EmqxStub {
  url: string;
  clients: { clientid: string; username: string }[];
  calls: string[];
  /** Answer every request with this status instead (a failing EMQX). */
  failWith: number | undefined;
  close(): Promise<void>;
}

async function startEmqxStub(): Promise<EmqxStub> {
  const stub: Omit<EmqxStub, 'url' | 'close'> = { clients: [], calls: [], failWith: undefined };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    stub.calls.push(`${req.method} ${req.url}`);
    const expected = `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`;
    if (req.headers.authorization !== expected)
      return json(res, 401, { code: 'BAD_API_KEY_OR_SECRET', message: 'Check api_key/api_secret' });
    if (stub.failWith !== undefined) return json(res, stub.failWith, { code: 'INTERNAL_ERROR', message: 'stub failure' });
    const url = new URL(req.url ?? '/', 'http://stub');
    if (req.method === 'GET' && url.pathname === '/api/v5/clients') {
      const page = Number(url.searchParams.get('_page') ?? 1);
      const limit = Number(url.searchParams.get('_limit') ?? 100);
      const username = url.searchParams.get('username');
      const matching = stub.clients.filter((c) => username === null || c.username === username);
      const data = matching.slice((page - 1) * limit, page * limit).map((c) => ({ ...c, node: 'emqx@node1.emqx.io', connected: true }));
      return json(res, 200, { data, meta: { page, limit, hasnext: page * limit < matching.length, count: matching.length } });
    }
    const kick = /^\/api\/v5\/clients\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'DELETE' && kick?.[1] !== undefined) {
      const clientid = decodeURIComponent(kick[1]);
      const index = stub.clients.findIndex((c) => c.clientid === clientid);
      if (index === -1) return json(res, 404, { code: 'CLIENTID_NOT_FOUND', message: 'Client ID not found' });
      stub.clients.splice(index, 1);
      res.writeHead(204).end();
      return;
    }
    json(res, 404, { code: 'NOT_FOUND', message: 'no such route' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

let stub: EmqxStub;
beforeAll(async () => {
  stub = await startEmqxStub();
});
afterAll(async () => stub?.close());

const admin = () => createEmqxAdmin({ baseUrl: `${stub.url}/`, apiKey: API_KEY, apiSecret: API_SECRET });

describe('the EMQX management adapter', () => {
  it("disconnects every client of the user, and only theirs, by EMQX's client-kick endpoint", async () => {
    stub.calls.length = 0;
    stub.clients = [
      { clientid: 'alice:phone', username: 'alice' },
      { clientid: 'alice:laptop', username: 'alice' },
      { clientid: 'bob:phone', username: 'bob' },
    ];
    expect(await admin().disconnectUser('alice')).toBe(2);
    expect(stub.clients).toEqual([{ clientid: 'bob:phone', username: 'bob' }]);
    expect(stub.calls).toEqual([
      'GET /api/v5/clients?username=alice&_page=1&_limit=100',
      'DELETE /api/v5/clients/alice%3Aphone',
      'DELETE /api/v5/clients/alice%3Alaptop',
    ]);
  });

  it('follows the pages of the client list', async () => {
    stub.clients = Array.from({ length: 130 }, (_, i) => ({ clientid: `carol:d${i}`, username: 'carol' }));
    expect(await admin().disconnectUser('carol')).toBe(130);
    expect(stub.clients).toEqual([]);
  });

  it('takes a client that left before its kick (404) as disconnected', async () => {
    stub.clients = [{ clientid: 'dave:phone', username: 'dave' }];
    const racing = createEmqxAdmin(
      { baseUrl: stub.url, apiKey: API_KEY, apiSecret: API_SECRET },
      {
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (init?.method === 'GET') stub.clients = []; // it disconnects on its own between the list and the kick
          return response;
        },
      },
    );
    expect(await racing.disconnectUser('dave')).toBe(1);
  });

  it('fails with BrokerAdminError on refused credentials, an EMQX error or no EMQX', async () => {
    const wrongKey = createEmqxAdmin({ baseUrl: stub.url, apiKey: API_KEY, apiSecret: 'wrong' });
    await expect(wrongKey.disconnectUser('alice')).rejects.toThrow(BrokerAdminError);
    stub.failWith = 500;
    await expect(admin().disconnectUser('alice')).rejects.toThrow(/HTTP 500/);
    stub.failWith = undefined;
    const nowhere = createEmqxAdmin({ baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY, apiSecret: API_SECRET, requestTimeoutMs: 2000 });
    await expect(nowhere.disconnectUser('alice')).rejects.toThrow(BrokerAdminError);
  });
});

describe('removing a member on an external broker', () => {
  let api: ExternalBrokerApi;
  beforeAll(async () => {
    api = await startExternalBrokerApi({ admin: admin() });
  });
  afterAll(async () => api?.close());

  const remove = (roomId: string, userId: string) =>
    api.app.inject({ method: 'DELETE', url: `/v1/rooms/${roomId}/members/${userId}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

  it('disconnects the removed member’s devices from EMQX; when EMQX cannot be told, answers 503 and a repeated DELETE kicks them', async () => {
    const erin = (await createUser(api.db, { name: 'erin' })).id;
    const frank = (await createUser(api.db, { name: 'frank' })).id;
    const roomId = (await createRoom(api.db, { kind: 'group', name: 'r', memberIds: [erin, frank] })).id;
    stub.clients = [
      { clientid: deviceClientId(erin, 'phone'), username: erin },
      { clientid: deviceClientId(frank, 'phone'), username: frank },
    ];
    stub.failWith = 503;
    const failed = await remove(roomId, erin);
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toMatchObject({ error: { code: 'ERR_MEMBER_DISCONNECT_FAILED' } });
    expect(stub.clients.map((c) => c.username)).toContain(erin);

    stub.failWith = undefined;
    const repeated = await remove(roomId, erin);
    expect(repeated.statusCode).toBe(200);
    expect(repeated.json()).toMatchObject({ changed: false });
    expect(stub.clients).toEqual([{ clientid: deviceClientId(frank, 'phone'), username: frank }]);
  });
});
