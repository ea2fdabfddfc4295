-- Push-notification fallback (docs/push.md#outbox-and-deliveries). A committed message gets an
-- outbox row when some member other than its sender has a push token; the push worker turns outbox
-- rows into one durable delivery per device that has not seen the message, and retracts shown
-- notifications once their room is read.

-- End-to-end-encrypted rooms: the server never parses a body, so their pushes carry none.
ALTER TABLE rooms ADD COLUMN encrypted boolean NOT NULL DEFAULT false;

-- One provider token per (user, device). A token names one app install, so registering it for
-- another device or user moves it there (UNIQUE): a handed-over phone stops getting the old
-- owner's notifications.
CREATE TABLE push_tokens (
  user_id          text NOT NULL REFERENCES users (id),
  device_id        text NOT NULL,
  platform         text NOT NULL CHECK (platform IN ('apns', 'fcm')),
  token            text NOT NULL,
  registered_at_ms bigint NOT NULL,
  PRIMARY KEY (user_id, device_id),
  UNIQUE (platform, token)
);

-- The highest seq of the room some device of the user acknowledged (MQTT PUBACK) or fetched over
-- REST. Like read_receipts: a maximum, clamped to last_seq, written in coalesced batches.
CREATE TABLE delivery_marks (
  room_id       text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id       text NOT NULL REFERENCES users (id),
  delivered_seq bigint NOT NULL CHECK (delivered_seq >= 0),
  PRIMARY KEY (room_id, user_id)
);

-- Messages the push worker still has to consider: due at commit (members with no online device
-- are pushed at once), then again at commit + PUSH_ACK_TIMEOUT_MS for members who looked online.
CREATE TABLE push_outbox (
  room_id   text NOT NULL,
  seq       bigint NOT NULL,
  due_at_ms bigint NOT NULL,
  PRIMARY KEY (room_id, seq)
);
CREATE INDEX push_outbox_due ON push_outbox (due_at_ms);

-- One row per push to one device, recorded before it is sent: a crash between recording and
-- sending re-sends it with the same dedup key (at least once, never lost). A claimed row is
-- leased (next_attempt_at_ms moves past the request timeout), so a node that dies mid-send
-- leaves it to be claimed again.
CREATE TABLE push_deliveries (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  room_id            text NOT NULL,
  -- The message's seq; for a retraction, the read seq it retracts up to.
  seq                bigint NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('message', 'retract')),
  user_id            text NOT NULL,
  device_id          text NOT NULL,
  platform           text NOT NULL CHECK (platform IN ('apns', 'fcm')),
  status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped', 'dead', 'rejected', 'failed')),
  attempts           integer NOT NULL DEFAULT 0,
  next_attempt_at_ms bigint NOT NULL,
  updated_at_ms      bigint NOT NULL,
  outcome            text NOT NULL DEFAULT '',
  UNIQUE (room_id, seq, kind, user_id, device_id)
);
CREATE INDEX push_deliveries_due ON push_deliveries (platform, next_attempt_at_ms) WHERE status = 'pending';
CREATE INDEX push_deliveries_finished ON push_deliveries (updated_at_ms) WHERE status <> 'pending';

-- The newest alert each device was sent per room: what a read elsewhere has to withdraw.
CREATE TABLE push_shown (
  user_id   text NOT NULL,
  device_id text NOT NULL,
  room_id   text NOT NULL,
  shown_seq bigint NOT NULL,
  PRIMARY KEY (user_id, room_id, device_id)
);

-- Reads that passed a shown notification, written with the read receipt: the worker turns each
-- into a silent retraction to every device showing one.
CREATE TABLE push_retractions (
  room_id  text NOT NULL,
  user_id  text NOT NULL,
  read_seq bigint NOT NULL,
  PRIMARY KEY (room_id, user_id)
);
