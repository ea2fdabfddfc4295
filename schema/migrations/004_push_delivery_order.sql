-- Pushes to one device about one room go out one at a time, lowest seq first: they share a
-- collapse key, so the one that arrives last is the one left showing, and a burst to one phone
-- holds one send slot. A delivery recorded while an earlier one of its (user, device, room) is
-- pending waits (`waiting`) and is not due; settling the earlier one hands the turn to the next.
-- Claims then scan only deliveries that may go now, however long the queues behind them.
ALTER TABLE push_deliveries ADD COLUMN waiting boolean NOT NULL DEFAULT false;
DROP INDEX push_deliveries_due;
CREATE INDEX push_deliveries_due ON push_deliveries (platform, next_attempt_at_ms, id) WHERE status = 'pending' AND NOT waiting;
CREATE INDEX push_deliveries_pending_key ON push_deliveries (user_id, device_id, room_id, seq, id) WHERE status = 'pending';
