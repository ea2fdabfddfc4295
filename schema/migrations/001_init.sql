-- The durable chat path (docs/durable-path.md#the-durable-path). Every hot query keys on room_id,
-- so the room-scoped tables can be distributed by room_id later (Citus) without changing a
-- statement.

CREATE TABLE users (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rooms (
  id             text PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('group', 'direct')),
  name           text NOT NULL,
  description    text NOT NULL DEFAULT '',
  -- Changes only when the room's history is reset or restored: clients resync from scratch.
  epoch          integer NOT NULL,
  last_seq       bigint NOT NULL DEFAULT 0,
  -- Seqs at or below this were removed by retention; gap-fill below it is "too old".
  history_floor  bigint NOT NULL DEFAULT 0,
  member_version integer NOT NULL DEFAULT 1,
  meta_version   integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE room_members (
  room_id   text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id   text NOT NULL REFERENCES users (id),
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_by_user ON room_members (user_id);

CREATE TABLE messages (
  room_id       text NOT NULL,
  seq           bigint NOT NULL,
  sender_id     text NOT NULL,
  sender_device text NOT NULL,
  client_msg_id text NOT NULL,
  sent_at_ms    bigint NOT NULL,
  content_type  text NOT NULL DEFAULT '',
  body          bytea NOT NULL,
  PRIMARY KEY (room_id, seq),
  -- Dedup of client retries (docs/durable-path.md#dedup).
  UNIQUE (room_id, sender_id, client_msg_id)
);
