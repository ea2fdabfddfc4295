-- Pushes to one device about one room go out one at a time, lowest seq first (they share a
-- collapse key, so the one that arrives last is the one shown): a pending delivery is claimable
-- only while no pending delivery of its (user, device, room) comes before it. This index is
-- what that check probes.
CREATE INDEX push_deliveries_pending_key ON push_deliveries (user_id, device_id, room_id, seq, id) WHERE status = 'pending';
