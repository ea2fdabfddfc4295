import type { Db, Queryable } from './db.js';

export type PushPlatform = 'apns' | 'fcm';

export interface PushToken {
  userId: string;
  deviceId: string;
  platform: PushPlatform;
  token: string;
  registeredAtMs: number;
}

/**
 * Registers (or replaces) the token of one device. A token names one app install, so it is
 * taken away from any other device or user that held it: a phone handed to someone else stops
 * getting the previous owner's notifications.
 */
export async function registerPushToken(db: Db, token: PushToken): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM push_tokens WHERE platform = $1 AND token = $2 AND (user_id, device_id) <> ($3, $4)', [
      token.platform,
      token.token,
      token.userId,
      token.deviceId,
    ]);
    await tx.query(
      `INSERT INTO push_tokens (user_id, device_id, platform, token, registered_at_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, device_id) DO UPDATE SET platform = EXCLUDED.platform, token = EXCLUDED.token, registered_at_ms = EXCLUDED.registered_at_ms`,
      [token.userId, token.deviceId, token.platform, token.token, token.registeredAtMs],
    );
  });
}

export async function getPushToken(db: Queryable, userId: string, deviceId: string): Promise<PushToken | undefined> {
  const { rows } = await db.query<PushToken>(
    `SELECT user_id AS "userId", device_id AS "deviceId", platform, token, registered_at_ms AS "registeredAtMs"
     FROM push_tokens WHERE user_id = $1 AND device_id = $2`,
    [userId, deviceId],
  );
  const row = rows[0];
  return row === undefined ? undefined : { ...row, registeredAtMs: Number(row.registeredAtMs) };
}

/** Resolves false when the device had no token. */
export async function deletePushToken(db: Queryable, userId: string, deviceId: string): Promise<boolean> {
  const { rows } = await db.query('DELETE FROM push_tokens WHERE user_id = $1 AND device_id = $2 RETURNING 1', [userId, deviceId]);
  return rows.length > 0;
}
