-- The admin control plane (README, "Admin control plane").

-- A deleted user stays as a tombstone: its id keeps naming the sender of the messages it wrote
-- (room histories stay gapless and identical on every member's device), its name is erased, and
-- no token can be issued for it again.
ALTER TABLE users ADD COLUMN deleted_at_ms bigint;

-- The token deny list: tokens of (user_id, device_id) issued before not_before_ms are refused at
-- CONNECT and on every REST call; a token issued later works. device_id '*' (never an id: ids are
-- [A-Za-z0-9_-]) covers every device of the user (a deleted user). recorded_at_ms is the
-- database's clock when the row last changed: broker nodes re-read the rows changed since their
-- last look, whatever the clocks of the API nodes that wrote them.
CREATE TABLE token_denials (
  user_id        text NOT NULL,
  device_id      text NOT NULL,
  not_before_ms  bigint NOT NULL,
  recorded_at_ms bigint NOT NULL,
  PRIMARY KEY (user_id, device_id)
);
CREATE INDEX token_denials_recorded ON token_denials (recorded_at_ms);
