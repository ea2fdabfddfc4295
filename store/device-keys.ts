/**
 * The public keys each device publishes for end-to-end encryption (docs/e2ee.md): its identity,
 * its current signed prekey, its Kyber last-resort prekey and its one-time prekeys. Signatures
 * are checked by the caller (the API, with libsignal) before anything reaches this module; for
 * keys signed by an already stored identity the check runs inside the transaction, against the
 * identity as it is at commit.
 */
import type { Db, Queryable } from './db.js';
import { storeError } from './errors.js';

/** libsignal's device ids are 1..127 (`ProtocolAddress`): at most this many keyed devices per user. */
export const SIGNAL_DEVICE_ID_MAX = 127;

/** One-time prekeys of one kind the server holds per device at most (ERR_KEYS_STORE_FULL names it): uploads are 100 at a time. */
export const ONE_TIME_PREKEYS_MAX_STORED = 1000;

export interface DeviceRef {
  userId: string;
  deviceId: string;
}

export interface OneTimePreKey {
  keyId: number;
  publicKey: Uint8Array;
}

export interface SignedPreKey extends OneTimePreKey {
  signature: Uint8Array;
}

export interface DeviceKeyUpload {
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: SignedPreKey;
  kyberLastResortPreKey: SignedPreKey;
  oneTimePreKeys: readonly OneTimePreKey[];
  kyberOneTimePreKeys: readonly SignedPreKey[];
}

/** One-time prekeys a device has left on the server, per kind. */
export interface PreKeyCounts {
  ec: number;
  kyber: number;
}

export interface UploadOutcome {
  signalDeviceId: number;
  /** The device had no keys before: its peers learn of a new device. */
  created: boolean;
  /** The device had keys under another identity key (a reinstall, or a device taken over). */
  identityChanged: boolean;
  counts: PreKeyCounts;
}

/** What a peer may know of a device without claiming anything. */
export interface DeviceIdentity {
  deviceId: string;
  signalDeviceId: number;
  registrationId: number;
  identityKey: Uint8Array;
}

export interface StoredDeviceKeys extends DeviceIdentity {
  signedPreKey: SignedPreKey;
  kyberLastResortPreKey: SignedPreKey;
  /** Ascending by key id. */
  oneTimePreKeys: OneTimePreKey[];
  kyberOneTimePreKeys: SignedPreKey[];
}

/** Throws (a typed error) when keys signed by `identityKey` must not be stored. */
export type IdentityCheck = (identityKey: Uint8Array) => void;

/** bytea is a Buffer (pg) or a Uint8Array (PGlite); callers see a plain Uint8Array view. */
export const bytesOf = (value: Uint8Array): Uint8Array => new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => toBuffer(a).equals(toBuffer(b));

export const IDENTITY_COLUMNS = `device_id AS "deviceId", signal_device_id AS "signalDeviceId", registration_id AS "registrationId",
  identity_key AS "identityKey"`;

/**
 * First upload or full replacement of a device's keys (a new install): identity, registration id,
 * signed and Kyber last-resort prekeys are replaced, and the one-time keys held so far are dropped
 * for the ones given (their private halves belong to the keys being replaced). A device keeps its
 * Signal device id across replacements; a new one gets the smallest id its user's devices lack.
 */
export async function replaceDeviceKeys(db: Db, device: DeviceRef, upload: DeviceKeyUpload, nowMs: number): Promise<UploadOutcome> {
  return db.transaction(async (tx) => {
    // Serialises the user's uploads, so two new devices never pick the same Signal device id.
    // NO KEY UPDATE: room_members' foreign key (KEY SHARE) is not blocked.
    const { rows: users } = await tx.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [device.userId]);
    if (users.length === 0) throw storeError('ERR_USER_NOT_FOUND', { userId: device.userId });
    const { rows: existing } = await tx.query<{ signalDeviceId: number; identityKey: Uint8Array }>(
      `SELECT signal_device_id AS "signalDeviceId", identity_key AS "identityKey" FROM device_keys
       WHERE user_id = $1 AND device_id = $2 FOR UPDATE`,
      [device.userId, device.deviceId],
    );
    const before = existing[0];
    const signalDeviceId = before?.signalDeviceId ?? (await freeSignalDeviceId(tx, device.userId));
    const { signedPreKey: spk, kyberLastResortPreKey: kpk } = upload;
    await tx.query(
      `INSERT INTO device_keys (user_id, device_id, signal_device_id, registration_id, identity_key, signed_prekey_id, signed_prekey,
         signed_prekey_signature, kyber_prekey_id, kyber_prekey, kyber_prekey_signature, updated_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (user_id, device_id) DO UPDATE SET registration_id = EXCLUDED.registration_id, identity_key = EXCLUDED.identity_key,
         signed_prekey_id = EXCLUDED.signed_prekey_id, signed_prekey = EXCLUDED.signed_prekey,
         signed_prekey_signature = EXCLUDED.signed_prekey_signature, kyber_prekey_id = EXCLUDED.kyber_prekey_id,
         kyber_prekey = EXCLUDED.kyber_prekey, kyber_prekey_signature = EXCLUDED.kyber_prekey_signature,
         updated_at_ms = EXCLUDED.updated_at_ms`,
      [
        device.userId,
        device.deviceId,
        signalDeviceId,
        upload.registrationId,
        toBuffer(upload.identityKey),
        spk.keyId,
        toBuffer(spk.publicKey),
        toBuffer(spk.signature),
        kpk.keyId,
        toBuffer(kpk.publicKey),
        toBuffer(kpk.signature),
        nowMs,
      ],
    );
    await tx.query('DELETE FROM one_time_prekeys WHERE user_id = $1 AND device_id = $2', [device.userId, device.deviceId]);
    await insertOneTimePreKeys(tx, device, upload.oneTimePreKeys, upload.kyberOneTimePreKeys);
    return {
      signalDeviceId,
      created: before === undefined,
      identityChanged: before !== undefined && !sameBytes(before.identityKey, upload.identityKey),
      counts: { ec: upload.oneTimePreKeys.length, kyber: upload.kyberOneTimePreKeys.length },
    };
  });
}

async function freeSignalDeviceId(tx: Queryable, userId: string): Promise<number> {
  const { rows } = await tx.query<{ id: number }>(
    `SELECT n AS id FROM generate_series(1, ${SIGNAL_DEVICE_ID_MAX}) AS n
     WHERE n NOT IN (SELECT signal_device_id FROM device_keys WHERE user_id = $1) ORDER BY n LIMIT 1`,
    [userId],
  );
  const free = rows[0];
  if (free === undefined) throw storeError('ERR_KEYS_DEVICE_LIMIT', { userId, max: SIGNAL_DEVICE_ID_MAX });
  return Number(free.id);
}

async function insertOneTimePreKeys(
  tx: Queryable,
  device: DeviceRef,
  ec: readonly OneTimePreKey[],
  kyber: readonly SignedPreKey[],
): Promise<void> {
  if (ec.length > 0) {
    await tx.query(
      `INSERT INTO one_time_prekeys (user_id, device_id, kind, key_id, public_key)
       SELECT $1, $2, 'ec', * FROM unnest($3::integer[], $4::bytea[])`,
      [device.userId, device.deviceId, ec.map((k) => k.keyId), ec.map((k) => toBuffer(k.publicKey))],
    );
  }
  if (kyber.length > 0) {
    await tx.query(
      `INSERT INTO one_time_prekeys (user_id, device_id, kind, key_id, public_key, signature)
       SELECT $1, $2, 'kyber', * FROM unnest($3::integer[], $4::bytea[], $5::bytea[])`,
      [
        device.userId,
        device.deviceId,
        kyber.map((k) => k.keyId),
        kyber.map((k) => toBuffer(k.publicKey)),
        kyber.map((k) => toBuffer(k.signature)),
      ],
    );
  }
}

/** Locks the device's row and returns its identity key; ERR_KEYS_NOT_FOUND before a first upload. */
async function lockDevice(tx: Queryable, device: DeviceRef): Promise<Uint8Array> {
  const { rows } = await tx.query<{ identityKey: Uint8Array }>(
    'SELECT identity_key AS "identityKey" FROM device_keys WHERE user_id = $1 AND device_id = $2 FOR UPDATE',
    [device.userId, device.deviceId],
  );
  const row = rows[0];
  if (row === undefined) throw storeError('ERR_KEYS_NOT_FOUND', { deviceId: device.deviceId });
  return bytesOf(row.identityKey);
}

/**
 * Rotation: the new signed prekey and/or Kyber last-resort prekey replace the current ones
 * (the device keeps the old private keys a while for messages already on their way; the server
 * serves only the newest). `check` verifies their signatures with the stored identity key.
 */
export async function rotateSignedPreKeys(
  db: Db,
  device: DeviceRef,
  keys: { signedPreKey?: SignedPreKey; kyberLastResortPreKey?: SignedPreKey },
  check: IdentityCheck,
  nowMs: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    check(await lockDevice(tx, device));
    const { signedPreKey: spk, kyberLastResortPreKey: kpk } = keys;
    await tx.query(
      `UPDATE device_keys SET
         signed_prekey_id = COALESCE($3, signed_prekey_id), signed_prekey = COALESCE($4, signed_prekey),
         signed_prekey_signature = COALESCE($5, signed_prekey_signature), kyber_prekey_id = COALESCE($6, kyber_prekey_id),
         kyber_prekey = COALESCE($7, kyber_prekey), kyber_prekey_signature = COALESCE($8, kyber_prekey_signature),
         updated_at_ms = $9
       WHERE user_id = $1 AND device_id = $2`,
      [
        device.userId,
        device.deviceId,
        spk?.keyId ?? null,
        spk === undefined ? null : toBuffer(spk.publicKey),
        spk === undefined ? null : toBuffer(spk.signature),
        kpk?.keyId ?? null,
        kpk === undefined ? null : toBuffer(kpk.publicKey),
        kpk === undefined ? null : toBuffer(kpk.signature),
        nowMs,
      ],
    );
  });
}

/**
 * Adds one-time prekeys. A key id the server already holds with the same public key is skipped
 * (a retried upload); with another key it is ERR_KEYS_ID_IN_USE and nothing is stored. More than
 * `maxStoredPerKind` held at once is ERR_KEYS_STORE_FULL. Resolves the counts after the upload.
 */
export async function addOneTimePreKeys(
  db: Db,
  device: DeviceRef,
  keys: { ec: readonly OneTimePreKey[]; kyber: readonly SignedPreKey[] },
  check: IdentityCheck,
  maxStoredPerKind = ONE_TIME_PREKEYS_MAX_STORED,
): Promise<PreKeyCounts> {
  return db.transaction(async (tx) => {
    check(await lockDevice(tx, device));
    const ec = await newKeysOnly(tx, device, 'ec', keys.ec);
    const kyber = await newKeysOnly(tx, device, 'kyber', keys.kyber);
    const held = await countsIn(tx, device);
    for (const [kind, adding] of [
      ['ec', ec.length],
      ['kyber', kyber.length],
    ] as const) {
      if (held[kind] + adding > maxStoredPerKind)
        throw storeError('ERR_KEYS_STORE_FULL', { kind, held: held[kind], max: maxStoredPerKind });
    }
    await insertOneTimePreKeys(tx, device, ec, kyber);
    return { ec: held.ec + ec.length, kyber: held.kyber + kyber.length };
  });
}

async function newKeysOnly<K extends OneTimePreKey>(
  tx: Queryable,
  device: DeviceRef,
  kind: 'ec' | 'kyber',
  keys: readonly K[],
): Promise<K[]> {
  if (keys.length === 0) return [];
  const { rows } = await tx.query<{ keyId: number; publicKey: Uint8Array }>(
    `SELECT key_id AS "keyId", public_key AS "publicKey" FROM one_time_prekeys
     WHERE user_id = $1 AND device_id = $2 AND kind = $3 AND key_id = ANY($4::integer[])`,
    [device.userId, device.deviceId, kind, keys.map((k) => k.keyId)],
  );
  const held = new Map(rows.map((row) => [Number(row.keyId), row.publicKey]));
  const conflict = keys.find((k) => held.has(k.keyId) && !sameBytes(held.get(k.keyId)!, k.publicKey));
  if (conflict !== undefined) throw storeError('ERR_KEYS_ID_IN_USE', { kind, keyId: conflict.keyId });
  return keys.filter((k) => !held.has(k.keyId));
}

export async function countsIn(db: Queryable, device: DeviceRef): Promise<PreKeyCounts> {
  const { rows } = await db.query<{ kind: 'ec' | 'kyber'; count: number | string }>(
    'SELECT kind, count(*) AS count FROM one_time_prekeys WHERE user_id = $1 AND device_id = $2 GROUP BY kind',
    [device.userId, device.deviceId],
  );
  const counts: PreKeyCounts = { ec: 0, kyber: 0 };
  for (const row of rows) counts[row.kind] = Number(row.count);
  return counts;
}

/** Removes every key of the device (it signed out, or was wiped); its Signal device id becomes free. Resolves false when it had none. */
export async function deleteDeviceKeys(db: Db, device: DeviceRef): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [device.userId]);
    const { rows } = await tx.query('DELETE FROM device_keys WHERE user_id = $1 AND device_id = $2 RETURNING 1', [
      device.userId,
      device.deviceId,
    ]);
    return rows.length > 0;
  });
}
