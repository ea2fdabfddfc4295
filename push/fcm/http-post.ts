/**
 * One POST with a deadline, for the OAuth token endpoint and FCM's send call (fetch, HTTP/1.1
 * keep-alive). Never throws: a timeout, refused connection or reset is a `failed` result.
 */
export type HttpResult = { kind: 'response'; status: number; headers: Headers; text: string } | { kind: 'failed'; reason: string };

export async function httpPost(
  url: string,
  request: { headers: Record<string, string>; body: string; timeoutMs: number; signal: AbortSignal },
): Promise<HttpResult> {
  const deadline = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.any([deadline, request.signal]),
    });
    // The body is read under the same deadline: a server that stalls mid-body is as dead as a silent one.
    return { kind: 'response', status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    if (deadline.aborted) return { kind: 'failed', reason: `no answer within ${request.timeoutMs} ms` };
    if (request.signal.aborted) return { kind: 'failed', reason: 'provider closed' };
    const cause = (error as Error & { cause?: Error }).cause;
    return { kind: 'failed', reason: `network error: ${cause?.message ?? (error as Error).message}` };
  }
}

/** JSON.parse that answers undefined for a body that isn't JSON (an HTML error page from a proxy, say). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
