/**
 * Reading a device's keys back: its one-time key count, the identities of a user's devices (what
 * a peer may see without claiming anything), and everything held for one device (the digest).
 */
import type { Db, Queryable } from './db.js';
import {
  bytesOf,
  countsIn,
  IDENTITY_COLUMNS,
  type DeviceIdentity,
  type DeviceRef,
  type OneTimePreKey,
  type PreKeyCounts,
  type StoredDeviceKeys,
} from './device-keys.js';

/** The one-time prekeys the device has left, or undefined before its first upload. */
export async function countOneTimePreKeys(db: Queryable, device: DeviceRef): Promise<PreKeyCounts | undefined> {
  const { rows } = await db.query('SELECT 1 FROM device_keys WHERE user_id = $1 AND device_id = $2', [device.userId, device.deviceId]);
  return rows.length === 0 ? undefined : countsIn(db, device);
}

/** The user's devices that have keys, by Signal device id. Claims nothing. */
export async function listDeviceIdentities(db: Queryable, userId: string): Promise<DeviceIdentity[]> {
  const { rows } = await db.query<DeviceIdentity>(
    `SELECT ${IDENTITY_COLUMNS} FROM device_keys WHERE user_id = $1 ORDER BY signal_device_id`,
    [userId],
  );
  return rows.map((row) => ({ ...row, signalDeviceId: Number(row.signalDeviceId), identityKey: bytesOf(row.identityKey) }));
}

/** Everything the server holds for the device (the digest covers it), or undefined before its first upload. */
export async function readDeviceKeys(db: Db, device: DeviceRef): Promise<StoredDeviceKeys | undefined> {
  // One snapshot: a claim committing between the two reads must not make them disagree.
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<
      DeviceIdentity & Record<'spkId' | 'kpkId', number> & Record<'spk' | 'spkSig' | 'kpk' | 'kpkSig', Uint8Array>
    >(
      `SELECT ${IDENTITY_COLUMNS}, signed_prekey_id AS "spkId", signed_prekey AS spk, signed_prekey_signature AS "spkSig",
         kyber_prekey_id AS "kpkId", kyber_prekey AS kpk, kyber_prekey_signature AS "kpkSig"
       FROM device_keys WHERE user_id = $1 AND device_id = $2 FOR SHARE`,
      [device.userId, device.deviceId],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    const { rows: oneTime } = await tx.query<{ kind: 'ec' | 'kyber'; keyId: number; publicKey: Uint8Array; signature: Uint8Array | null }>(
      `SELECT kind, key_id AS "keyId", public_key AS "publicKey", signature FROM one_time_prekeys
       WHERE user_id = $1 AND device_id = $2 ORDER BY kind, key_id`,
      [device.userId, device.deviceId],
    );
    const key = (r: (typeof oneTime)[number]): OneTimePreKey => ({ keyId: Number(r.keyId), publicKey: bytesOf(r.publicKey) });
    return {
      deviceId: row.deviceId,
      signalDeviceId: Number(row.signalDeviceId),
      registrationId: Number(row.registrationId),
      identityKey: bytesOf(row.identityKey),
      signedPreKey: { keyId: Number(row.spkId), publicKey: bytesOf(row.spk), signature: bytesOf(row.spkSig) },
      kyberLastResortPreKey: { keyId: Number(row.kpkId), publicKey: bytesOf(row.kpk), signature: bytesOf(row.kpkSig) },
      oneTimePreKeys: oneTime.filter((r) => r.kind === 'ec').map(key),
      kyberOneTimePreKeys: oneTime.filter((r) => r.kind === 'kyber').map((r) => ({ ...key(r), signature: bytesOf(r.signature!) })),
    };
  });
}
