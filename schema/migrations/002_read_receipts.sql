-- Read receipts (docs/signals.md#read-receipts): the highest seq each member has read, per room.
-- Unread counts and push badges derive from rooms.last_seq - read_seq.
CREATE TABLE read_receipts (
  room_id  text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id  text NOT NULL REFERENCES users (id),
  read_seq bigint NOT NULL CHECK (read_seq >= 0),
  PRIMARY KEY (room_id, user_id)
);
