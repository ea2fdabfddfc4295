/**
 * The token deny list: a device's tokens issued before a not-before time are refused, at CONNECT
 * by the broker (which keeps the list in memory) and on every REST call by the API (which asks
 * here). A token issued later for the same device works: revoking is "log this device out", not
 * "ban it". One row per (user, device), or (user, '*') for every device of a user.
 */
import { ALL_DEVICES, type TokenRevocation } from '../schema/index.js';
import type { Queryable } from './db.js';

/** A row of the deny list: the device (or ALL_DEVICES) and the not-before of its tokens; the notice brokers get is the same. */
export type TokenDenial = TokenRevocation;

/** The database's own clock, so rows written by API nodes with different clocks sort in one order. */
const DB_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/** Records a denial; a later one for the same device moves its not-before forward, never back. Returns the one in force. */
export async function denyTokens(db: Queryable, denial: TokenDenial): Promise<TokenDenial> {
  const { rows } = await db.query<{ notBeforeMs: number }>(
    `INSERT INTO token_denials (user_id, device_id, not_before_ms, recorded_at_ms) VALUES ($1, $2, $3, ${DB_NOW_MS})
     ON CONFLICT (user_id, device_id) DO UPDATE
       SET not_before_ms = GREATEST(token_denials.not_before_ms, EXCLUDED.not_before_ms), recorded_at_ms = EXCLUDED.recorded_at_ms
     RETURNING not_before_ms AS "notBeforeMs"`,
    [denial.userId, denial.deviceId, denial.notBeforeMs],
  );
  return { ...denial, notBeforeMs: Number(rows[0]!.notBeforeMs) };
}

/**
 * The not-before in force for a device's tokens (its own or its user's, whichever is later), or
 * 0 when none: a token is refused when it was issued before it.
 */
export async function tokensNotBeforeMs(db: Queryable, userId: string, deviceId: string): Promise<number> {
  const { rows } = await db.query<{ notBeforeMs: number | null }>(
    `SELECT max(not_before_ms) AS "notBeforeMs" FROM token_denials WHERE user_id = $1 AND device_id IN ($2, '${ALL_DEVICES}')`,
    [userId, deviceId],
  );
  return Number(rows[0]?.notBeforeMs ?? 0);
}

export interface DenialChanges {
  denials: TokenDenial[];
  /** The database clock of the newest change read: pass it back as `sinceMs` next time. */
  readAtMs: number;
}

/**
 * Denials recorded or moved at or after `sinceMs` on the database's clock (all of them without
 * it). A transaction that commits late can carry an older timestamp than one already read, so
 * callers pass back a `sinceMs` somewhat before the last `readAtMs` and read those rows again
 * (adding a denial twice changes nothing).
 */
export async function readTokenDenials(db: Queryable, sinceMs?: number): Promise<DenialChanges> {
  const { rows } = await db.query<{ nowMs: number; userId: string | null; deviceId: string; notBeforeMs: number }>(
    `SELECT n.now_ms AS "nowMs", d.user_id AS "userId", d.device_id AS "deviceId", d.not_before_ms AS "notBeforeMs"
     FROM (SELECT ${DB_NOW_MS} AS now_ms) n
     LEFT JOIN token_denials d ON $1::bigint IS NULL OR d.recorded_at_ms >= $1`,
    [sinceMs ?? null],
  );
  const denials = rows.flatMap(({ userId, deviceId, notBeforeMs }) =>
    userId === null ? [] : [{ userId, deviceId, notBeforeMs: Number(notBeforeMs) }],
  );
  return { denials, readAtMs: Number(rows[0]!.nowMs) };
}
