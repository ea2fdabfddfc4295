/**
 * What the backend-outage tests share: a paced burst of SDK sends that runs through the outage,
 * /healthz polling, and the check that every acknowledged send is stored exactly once.
 */
import type { SendResult } from '@mqtt-chat/sdk';
import { rest } from './rest-client.js';

/** The outage length: a few seconds in CI; `OUTAGE_SECONDS=30 npm run test:outages` for the bound. */
export const OUTAGE_MS = Number(process.env['OUTAGE_SECONDS'] ?? 3) * 1000;

export interface SendRecord {
  submittedAtMs: number;
  /** Set once the platform acked it. */
  acked?: SendResult & { atMs: number };
  /** Set if the SDK gave up on it (a final Nack): it must not be in the history then. */
  failed?: unknown;
}

export interface Burst {
  readonly records: readonly SendRecord[];
  acked(): (SendResult & { atMs: number })[];
  /** Stops sending, then waits until every send so far is acked or failed (at most `limitMs`). */
  stop(limitMs: number): Promise<void>;
}

/** One send every `intervalMs` until stopped; a send still waiting at an outage is resent by the SDK until acked. */
export function startBurst(send: (i: number) => Promise<SendResult>, intervalMs: number): Burst {
  const records: SendRecord[] = [];
  const settled: Promise<void>[] = [];
  const timer = setInterval(() => {
    const record: SendRecord = { submittedAtMs: Date.now() };
    records.push(record);
    settled.push(
      send(records.length).then(
        (result) => void (record.acked = { ...result, atMs: Date.now() }),
        (error: unknown) => void (record.failed = error),
      ),
    );
  }, intervalMs);
  return {
    records,
    acked: () => records.flatMap((r) => (r.acked === undefined ? [] : [r.acked])),
    async stop(limitMs) {
      clearInterval(timer);
      let limit: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => (limit = setTimeout(resolve, limitMs)));
      await Promise.race([Promise.all(settled), expired]);
      clearTimeout(limit);
    },
  };
}

export interface Health {
  httpStatus: number;
  status: string;
  checks: Record<string, boolean>;
}

export async function health(apiUrl: string): Promise<Health> {
  const response = await fetch(`${apiUrl}/healthz`);
  const body = (await response.json()) as { status: string; checks: Record<string, boolean> };
  return { httpStatus: response.status, ...body };
}

/**
 * Polls /healthz until `test` holds and resolves with the time that took. Polling: the platform
 * announces health on no channel a test could wait on, and /healthz is what an operator sees.
 */
export async function untilHealth(
  apiUrl: string,
  test: (h: Health) => boolean,
  limitMs: number,
): Promise<{ afterMs: number; health: Health }> {
  const startMs = Date.now();
  for (;;) {
    const current = await health(apiUrl).catch((error: unknown) => `no answer (${String((error as Error).cause ?? error)})`);
    if (typeof current !== 'string' && test(current)) return { afterMs: Date.now() - startMs, health: current };
    if (Date.now() - startMs > limitMs)
      throw new Error(`/healthz at ${apiUrl} not as expected within ${limitMs} ms: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The whole history of a room, read page by page. */
export async function roomHistory(apiUrl: string, token: string, roomId: string): Promise<{ clientMsgId: string; seq: number }[]> {
  const messages: { clientMsgId: string; seq: number }[] = [];
  for (;;) {
    const after = messages.at(-1)?.seq ?? 0;
    const page = await rest(apiUrl, token, 'GET', `/v1/rooms/${roomId}/messages?after=${after}&limit=500`);
    if (page.status !== 200) throw new Error(`history: ${page.status} ${JSON.stringify(page.json)}`);
    const batch = page.json.messages as { clientMsgId: string; seq: number }[];
    messages.push(...batch.map(({ clientMsgId, seq }) => ({ clientMsgId, seq })));
    if (batch.length < 500) return messages;
  }
}

/** What an acked-means-stored check found: every list empty means nothing acked was lost or stored twice. */
export function compareWithHistory(
  acked: readonly SendResult[],
  history: readonly { clientMsgId: string; seq: number }[],
): { lost: string[]; wrongSeq: string[]; duplicates: string[]; gaps: number[] } {
  const stored = new Map(history.map((m) => [m.clientMsgId, m.seq]));
  const counts = new Map<string, number>();
  for (const m of history) counts.set(m.clientMsgId, (counts.get(m.clientMsgId) ?? 0) + 1);
  return {
    lost: acked.filter((a) => !stored.has(a.clientMsgId)).map((a) => a.clientMsgId),
    wrongSeq: acked.filter((a) => stored.has(a.clientMsgId) && stored.get(a.clientMsgId) !== a.seq).map((a) => a.clientMsgId),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
    gaps: history.flatMap((m, i) => (m.seq === i + 1 ? [] : [i + 1])),
  };
}

/** Resolves once `test()` holds, checked every 20 ms, with how long that took; for state no event announces (acks counted by a burst). */
export async function eventually(test: () => boolean | Promise<boolean>, what: string, limitMs: number): Promise<number> {
  const startMs = Date.now();
  while (!(await test())) {
    if (Date.now() - startMs > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - startMs;
}
