/**
 * Runs a REST case and judges the answer on the spot: no 5xx but the documented 503s, and every
 * JSON error body names a code from the catalogue (api/errors.ts), so a client can act on it.
 */
import { API_ERRORS } from '../../../api/errors.js';
import type { RestCase } from '../generators/rest-cases.js';
import type { CaseResult } from './case-result.js';
import { Conversation } from './conversation.js';
import { httpCall } from './http.js';

function errorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** 503 is documented for a dependency being away (ERR_UNAVAILABLE) and for /healthz saying so. */
const isDocumented503 = (target: string, body: string) => target.startsWith('/healthz') || errorCode(body) === 'ERR_UNAVAILABLE';

function judge(label: string, status: number, contentType: string, body: string, target: string): CaseResult {
  const outcome = `${Math.floor(status / 100)}xx`;
  if (status >= 500 && !(status === 503 && isDocumented503(target, body)))
    return { outcome, problem: { kind: 'server-error', detail: `${label} answered ${status}: ${body.slice(0, 200)}` } };
  const hasBody = body.length > 0; // HEAD answers, and 204s, carry none
  if (status >= 400 && contentType.includes('json') && hasBody) {
    const code = errorCode(body);
    if (code === undefined || !Object.hasOwn(API_ERRORS, code))
      return { outcome, problem: { kind: 'uncatalogued-error', detail: `${label} answered ${status} with ${body.slice(0, 200)}` } };
  }
  return { outcome };
}

export async function runRestCase(port: number, fuzzCase: RestCase, waitMs: number): Promise<CaseResult> {
  if (fuzzCase.kind === 'raw') {
    const conversation = await Conversation.open(port, waitMs);
    if (conversation === 'refused') return { outcome: 'refused' };
    conversation.write(fuzzCase.bytes);
    const ending = await conversation.finish(
      'end',
      () => undefined,
      () => true,
      waitMs,
    );
    const text = conversation.received().toString('latin1');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    const verdict = status === 0 ? { outcome: `raw ${ending}` } : judge(`raw ${fuzzCase.operation}`, status, '', body, '/');
    return { ...verdict, outcome: `raw ${verdict.outcome}` };
  }
  const label = `${fuzzCase.method} ${fuzzCase.target.slice(0, 120)} as ${fuzzCase.role}`;
  try {
    const answer = await httpCall({
      port,
      method: fuzzCase.method,
      target: fuzzCase.target,
      headers: fuzzCase.headers,
      body: fuzzCase.body,
      timeoutMs: waitMs,
    });
    return judge(label, answer.status, answer.contentType, answer.body, fuzzCase.target);
  } catch (error) {
    const message = (error as Error).message;
    // Node's client refuses some hostile header values itself; the server never saw those.
    if (
      (error as NodeJS.ErrnoException).code === 'ERR_INVALID_CHAR' ||
      (error as NodeJS.ErrnoException).code === 'ERR_UNESCAPED_CHARACTERS'
    )
      return { outcome: 'not-sent' };
    if (message.startsWith('no answer')) return { outcome: 'no-answer', problem: { kind: 'no-answer', detail: `${label}: ${message}` } };
    return { outcome: `socket ${(error as NodeJS.ErrnoException).code ?? 'error'}` };
  }
}
