/**
 * The BrokerAdmin port on EMQX 5's REST API (authenticated with an API key and secret as HTTP
 * basic credentials): `GET /api/v5/clients?username={userId}` lists the user's clients
 * (`{"data": [{"clientid": ...}], "meta": {...}}`), and `DELETE /api/v5/clients/{clientid}`
 * kicks one (204; 404 when it is gone already, which is what we wanted).
 */
import { BrokerAdminError, type BrokerAdmin } from './broker-admin.js';

export const DEFAULT_EMQX_REQUEST_TIMEOUT_MS = 5_000;
/** Clients listed per page: a user has a handful of devices. */
const PAGE_LIMIT = 100;

export interface EmqxAdminOptions {
  /** Where EMQX's dashboard/API listens, e.g. `http://emqx1:18083`. */
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  requestTimeoutMs?: number;
}

type Fetch = typeof fetch;

export function createEmqxAdmin(options: EmqxAdminOptions, deps: { fetch?: Fetch } = {}): BrokerAdmin {
  const doFetch = deps.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`).toString('base64')}`;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_EMQX_REQUEST_TIMEOUT_MS;

  async function call(method: 'GET' | 'DELETE', path: string): Promise<Response> {
    try {
      return await doFetch(`${base}${path}`, {
        method,
        headers: { authorization, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new BrokerAdminError(`EMQX ${method} ${path}: ${(cause as Error).message}`, { cause });
    }
  }

  async function clientIdsOf(userId: string): Promise<string[]> {
    const ids: string[] = [];
    for (let page = 1; ; page += 1) {
      const path = `/api/v5/clients?username=${encodeURIComponent(userId)}&_page=${page}&_limit=${PAGE_LIMIT}`;
      const response = await call('GET', path);
      if (!response.ok) throw new BrokerAdminError(`EMQX GET ${path}: HTTP ${response.status}`);
      const body = (await response.json()) as { data?: { clientid?: unknown }[]; meta?: { hasnext?: unknown } };
      const clientIds = (body.data ?? []).map((client) => client.clientid).filter((id): id is string => typeof id === 'string');
      ids.push(...clientIds);
      if (body.meta?.hasnext !== true || clientIds.length === 0) return ids;
    }
  }

  return {
    async disconnectUser(userId) {
      const clientIds = await clientIdsOf(userId);
      await Promise.all(
        clientIds.map(async (clientId) => {
          const path = `/api/v5/clients/${encodeURIComponent(clientId)}`;
          const response = await call('DELETE', path);
          if (!response.ok && response.status !== 404) throw new BrokerAdminError(`EMQX DELETE ${path}: HTTP ${response.status}`);
        }),
      );
      return clientIds.length;
    },
  };
}
