/**
 * The HTTP calls of the SSE fallback, over the global `fetch`: JSON in, JSON out, the device
 * token as bearer. A call that gets no answer resolves with status 0 instead of throwing: for the
 * fallback, "no answer" is an outcome like any status.
 */
export interface HttpAnswer {
  /** 0: no answer (network error, timeout). */
  status: number;
  body: unknown;
  /** Retry-After in milliseconds, when the answer had one. */
  retryAfterMs: number | undefined;
}

export type HttpPost = (path: string, json: unknown) => Promise<HttpAnswer>;

export function createHttpPost(options: { apiUrl: string; token: string; timeoutMs: number }): HttpPost {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  return async (path, json) => {
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch {
      return { status: 0, body: undefined, retryAfterMs: undefined };
    }
    const body: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    const retryAfter = Number(response.headers.get('retry-after'));
    return { status: response.status, body, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined };
  };
}

export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The `error.code` of an API error answer. */
export const apiErrorCode = (body: unknown): string | undefined => {
  const code = field(field(body, 'error'), 'code');
  return typeof code === 'string' ? code : undefined;
};
