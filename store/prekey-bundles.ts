/**
 * Claiming prekey bundles: what a device needs to open a Signal session (PQXDH) with each device
 * of a user. Each claim takes exactly one one-time EC prekey per device (and one one-time Kyber
 * prekey when the device uploaded any) and deletes it in the same transaction, so no key is ever
 * handed out twice and none is lost. A device with none left is served without a one-time EC
 * prekey and with its Kyber last-resort prekey: PQXDH works without either one-time key, with
 * less forward secrecy for the first message.
 */
import type { Db, Queryable } from './db.js';
import { bytesOf, type DeviceIdentity, type OneTimePreKey, type PreKeyCounts, type SignedPreKey } from './device-keys.js';

export interface ClaimedBundle extends DeviceIdentity {
  signedPreKey: SignedPreKey;
  /** A one-time Kyber prekey, or the last-resort one (`lastResort: true`) when the device has none left. */
  kyberPreKey: SignedPreKey & { lastResort: boolean };
  /** Absent when the device has no one-time EC prekey left. */
  preKey?: OneTimePreKey;
  /** One-time prekeys the device has left after this claim (exact: claims of one device run one at a time). */
  remaining: PreKeyCounts;
}

export interface ClaimQuery {
  userId: string;
  /** Only these devices (platform device ids); every keyed device of the user when absent. */
  deviceIds?: readonly string[];
  /** Never this device (the caller's own: a device opens no session with itself). */
  excludeDeviceId?: string;
}

type DeviceRow = DeviceIdentity & Record<'spkId' | 'kpkId', number> & Record<'spk' | 'spkSig' | 'kpk' | 'kpkSig', Uint8Array>;
type ClaimedRow = { deviceId: string; kind: 'ec' | 'kyber'; keyId: number; publicKey: Uint8Array; signature: Uint8Array | null };

/** Claims one bundle per matching device, ordered by Signal device id. */
export async function claimPreKeyBundles(db: Db, query: ClaimQuery): Promise<ClaimedBundle[]> {
  return db.transaction(async (tx) => {
    // The device rows are locked in one order (no deadlock between two claims), and stay locked
    // until commit: a concurrent claim of the same device waits here, then sees this one's
    // deletions. That makes the remaining counts exact and keeps a bundle consistent with
    // rotations and replacements, which lock the same row.
    const { rows: devices } = await tx.query<DeviceRow>(
      `SELECT device_id AS "deviceId", signal_device_id AS "signalDeviceId", registration_id AS "registrationId",
         identity_key AS "identityKey", signed_prekey_id AS "spkId", signed_prekey AS spk, signed_prekey_signature AS "spkSig",
         kyber_prekey_id AS "kpkId", kyber_prekey AS kpk, kyber_prekey_signature AS "kpkSig"
       FROM device_keys
       WHERE user_id = $1 AND ($2::text[] IS NULL OR device_id = ANY($2::text[])) AND device_id IS DISTINCT FROM $3
       ORDER BY signal_device_id FOR UPDATE`,
      [query.userId, query.deviceIds === undefined ? null : [...query.deviceIds], query.excludeDeviceId ?? null],
    );
    if (devices.length === 0) return [];
    const deviceIds = devices.map((d) => d.deviceId);
    const claimed = await takeLowestOneTimeKeys(tx, query.userId, deviceIds);
    const remaining = await remainingCounts(tx, query.userId, deviceIds);
    return devices.map((d) => bundleOf(d, claimed, remaining.get(d.deviceId) ?? { ec: 0, kyber: 0 }));
  });
}

/** Deletes and returns the lowest-id one-time key of each kind of each device (none for a kind a device has run out of). */
async function takeLowestOneTimeKeys(tx: Queryable, userId: string, deviceIds: readonly string[]): Promise<ClaimedRow[]> {
  const { rows } = await tx.query<ClaimedRow>(
    `WITH picked AS (
       SELECT DISTINCT ON (device_id, kind) device_id, kind, key_id FROM one_time_prekeys
       WHERE user_id = $1 AND device_id = ANY($2::text[]) ORDER BY device_id, kind, key_id
     )
     DELETE FROM one_time_prekeys o USING picked p
     WHERE o.user_id = $1 AND o.device_id = p.device_id AND o.kind = p.kind AND o.key_id = p.key_id
     RETURNING o.device_id AS "deviceId", o.kind, o.key_id AS "keyId", o.public_key AS "publicKey", o.signature`,
    [userId, deviceIds],
  );
  return rows;
}

async function remainingCounts(tx: Queryable, userId: string, deviceIds: readonly string[]): Promise<Map<string, PreKeyCounts>> {
  const { rows } = await tx.query<{ deviceId: string; kind: 'ec' | 'kyber'; count: number | string }>(
    `SELECT device_id AS "deviceId", kind, count(*) AS count FROM one_time_prekeys
     WHERE user_id = $1 AND device_id = ANY($2::text[]) GROUP BY device_id, kind`,
    [userId, deviceIds],
  );
  const counts = new Map<string, PreKeyCounts>();
  for (const row of rows) {
    const entry = counts.get(row.deviceId) ?? { ec: 0, kyber: 0 };
    entry[row.kind] = Number(row.count);
    counts.set(row.deviceId, entry);
  }
  return counts;
}

function bundleOf(d: DeviceRow, claimed: readonly ClaimedRow[], remaining: PreKeyCounts): ClaimedBundle {
  const ec = claimed.find((c) => c.deviceId === d.deviceId && c.kind === 'ec');
  const kyber = claimed.find((c) => c.deviceId === d.deviceId && c.kind === 'kyber');
  const kyberPreKey =
    kyber === undefined
      ? { keyId: Number(d.kpkId), publicKey: bytesOf(d.kpk), signature: bytesOf(d.kpkSig), lastResort: true }
      : { keyId: Number(kyber.keyId), publicKey: bytesOf(kyber.publicKey), signature: bytesOf(kyber.signature!), lastResort: false };
  return {
    deviceId: d.deviceId,
    signalDeviceId: Number(d.signalDeviceId),
    registrationId: Number(d.registrationId),
    identityKey: bytesOf(d.identityKey),
    signedPreKey: { keyId: Number(d.spkId), publicKey: bytesOf(d.spk), signature: bytesOf(d.spkSig) },
    kyberPreKey,
    ...(ec === undefined ? {} : { preKey: { keyId: Number(ec.keyId), publicKey: bytesOf(ec.publicKey) } }),
    remaining,
  };
}
