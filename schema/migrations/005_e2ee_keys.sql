-- End-to-end encryption: the platform as key distribution centre (docs/e2ee.md). Only public
-- keys and signatures are stored; the server cannot decrypt anything with them.

-- One row per device that uploaded keys: its identity, registration id, the current signed
-- prekey and the Kyber (ML-KEM) last-resort prekey. A bundle fetch locks the rows of the devices
-- it serves, so claims of one device's one-time keys run one after another: the remaining count
-- each claim sees is exact (the low-key notice fires once per descent), and a bundle never mixes
-- a rotation with the keys it replaced.
CREATE TABLE device_keys (
  user_id                 text NOT NULL REFERENCES users (id),
  device_id               text NOT NULL,
  -- libsignal addresses a device as (name, 1..127): assigned here at first upload, the smallest
  -- number the user's devices do not hold; freed when the device's keys are deleted.
  signal_device_id        smallint NOT NULL CHECK (signal_device_id BETWEEN 1 AND 127),
  registration_id         integer NOT NULL,
  identity_key            bytea NOT NULL,
  signed_prekey_id        integer NOT NULL,
  signed_prekey           bytea NOT NULL,
  signed_prekey_signature bytea NOT NULL,
  kyber_prekey_id         integer NOT NULL,
  kyber_prekey            bytea NOT NULL,
  kyber_prekey_signature  bytea NOT NULL,
  updated_at_ms           bigint NOT NULL,
  PRIMARY KEY (user_id, device_id),
  UNIQUE (user_id, signal_device_id)
);

-- One-time prekeys, each handed out at most once: a bundle fetch deletes the one it returns.
-- kind 'ec': Curve25519 (no signature); 'kyber': one-time Kyber prekeys, signed by the identity.
CREATE TABLE one_time_prekeys (
  user_id    text NOT NULL,
  device_id  text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('ec', 'kyber')),
  key_id     integer NOT NULL,
  public_key bytea NOT NULL,
  signature  bytea,
  PRIMARY KEY (user_id, device_id, kind, key_id),
  FOREIGN KEY (user_id, device_id) REFERENCES device_keys (user_id, device_id) ON DELETE CASCADE,
  CHECK ((kind = 'kyber') = (signature IS NOT NULL))
);
