/**
 * The sweeper of finished push deliveries (push/delivery-sweeper.ts) on PGlite: one sweep
 * deletes every finished row past retention, however many batches that takes, and keeps the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/log.js';
import { startDeliverySweeper } from '../../push/delivery-sweeper.js';
import { openDb, type Db } from '../../store/index.js';

let db: Db;
beforeAll(async () => {
  ({ db } = await openDb({}));
});
afterAll(async () => db?.close());

const NOW_MS = 10_000_000;
const RETENTION_MS = 60_000;

async function insertDeliveries(roomId: string, count: number, status: string, updatedAtMs: number): Promise<void> {
  await db.query(
    `INSERT INTO push_deliveries (room_id, seq, kind, user_id, device_id, platform, status, next_attempt_at_ms, updated_at_ms)
     SELECT $1, s, 'message', 'u', 'phone', 'fcm', $3, 0, $4 FROM generate_series(1, $2::integer) AS s`,
    [roomId, count, status, updatedAtMs],
  );
}

const countOf = async (roomId: string) =>
  Number((await db.query<{ n: number }>('SELECT count(*)::integer AS n FROM push_deliveries WHERE room_id = $1', [roomId])).rows[0]?.n);

describe('the push delivery sweeper', () => {
  it('deletes every finished delivery past retention in one sweep, batch after batch, and keeps pending and recent ones', async () => {
    await insertDeliveries('old-sent', 25, 'sent', NOW_MS - RETENTION_MS - 1);
    await insertDeliveries('old-pending', 3, 'pending', NOW_MS - RETENTION_MS - 1);
    await insertDeliveries('recent-sent', 4, 'sent', NOW_MS - RETENTION_MS + 1);
    const sweeps: number[] = [];
    let firstSweep: () => void = () => undefined;
    const swept = new Promise<void>((resolve) => (firstSweep = resolve));
    const sweeper = startDeliverySweeper(
      {
        db,
        now: () => NOW_MS,
        log: silentLogger(),
        onSwept: (count) => {
          sweeps.push(count);
          firstSweep();
        },
      },
      { intervalMs: 20, retentionMs: RETENTION_MS, batchSize: 10 },
    );
    await swept;
    await sweeper.close();
    expect(sweeps[0]).toBe(25); // three statements (10, 10, 5) in the first sweep, not 10 per interval
    expect(await countOf('old-sent')).toBe(0);
    expect(await countOf('old-pending')).toBe(3);
    expect(await countOf('recent-sent')).toBe(4);
  });
});
