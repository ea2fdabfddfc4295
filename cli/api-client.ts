/**
 * The REST calls chatctl makes: JSON in and out, the bearer token on every call, an error body
 * turned into an ApiError with its code. Nothing is retried: an admin sees what happened.
 */
import { ApiError } from './errors.js';

export interface ApiClient {
  /** The parsed JSON answer (undefined for 204), or an ApiError. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A text answer without credential (/metrics), with its status. */
  text(path: string): Promise<{ status: number; text: string }>;
}

const UNREACHABLE = 'ERR_CHATCTL_UNREACHABLE';

export function createApiClient(options: { url: string; token: string | undefined; fetch?: typeof fetch }): ApiClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');

  async function send(method: string, path: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(`${base}${path}`, { method, ...init });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(UNREACHABLE, `cannot reach ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, 0);
    }
  }

  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = {};
      if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await send(method, path, { headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      const parsed: unknown = text.length === 0 ? undefined : parseJson(text);
      if (response.ok) return parsed as T;
      // /healthz answers 503 with its health view, not an error body: callers that want it use `health`.
      const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
      const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
      const message = typeof error?.message === 'string' ? error.message : text.slice(0, 200);
      throw new ApiError(code, message, response.status, error?.details);
    },
    async text(path) {
      const response = await send('GET', path, {});
      return { status: response.status, text: await response.text() };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
