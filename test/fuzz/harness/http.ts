/**
 * HTTP as the fuzz harness needs it: one connection per request (`agent: false`), so every
 * socket the harness opened is closed when the answer is in, and the platform's fd count
 * after a batch says something about the platform, not about a client's connection pool.
 */
import { request as httpRequest } from 'node:http';

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface HttpCall {
  port: number;
  method: string;
  /** Path and query as they go on the request line. */
  target: string;
  headers?: Record<string, string>;
  body?: string | undefined;
  timeoutMs: number;
}

/** Keeps the first bytes of an answer: enough to read an error code, never a whole /metrics page. */
const MAX_BODY_CHARS = 64 * 1024;

export function httpCall(call: HttpCall): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // Node sends a GET or DELETE body without Content-Length or chunking (so the server would read
    // it as the next request); an explicit length makes every request well-framed.
    const length = call.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(call.body)) };
    const req = httpRequest(
      { host: '127.0.0.1', port: call.port, method: call.method, path: call.target, headers: { ...call.headers, ...length }, agent: false },
      (res) => {
        // An event stream (GET /v1/events) answers with its headers and then never ends: the
        // answer is the status line; the stream is closed at once, as a client hanging up.
        if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: '' });
          req.destroy();
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_BODY_CHARS) body += chunk;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${call.timeoutMs} ms`)), call.timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(call.body);
  });
}

/** A JSON call that must succeed (provisioning): throws with the answer otherwise. */
export async function jsonCall<T>(port: number, token: string, method: string, target: string, body?: unknown): Promise<T> {
  const answer = await httpCall({
    port,
    method,
    target,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    timeoutMs: 30_000,
  });
  if (answer.status >= 300) throw new Error(`${method} ${target}: ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as T;
}
