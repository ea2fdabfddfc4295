/**
 * bench:durable's phase 2b (bench/pipeline-only.ts) on a real embedded database: the send
 * pipeline fed with no broker stores what it counts, in batches, and refuses nothing; and the
 * --feeders option that turns it on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';
import { startFixture, type BenchFixture } from '../../bench/fixture.js';
import { measurePipelineOnly } from '../../bench/pipeline-only.js';
import { openDb, type Db } from '../../store/index.js';

describe('--feeders', () => {
  it('is off by default, takes a positive count, and refuses anything else', () => {
    expect(parseBenchArgs([]).feeders).toBe(0);
    expect(parseBenchArgs(['--feeders', '4']).feeders).toBe(4);
    expect(() => parseBenchArgs(['--feeders', '-1'])).toThrow(/--feeders/);
    expect(() => parseBenchArgs(['--feeders', 'many'])).toThrow(/--feeders/);
  });
});

describe('the send pipeline fed with no broker', () => {
  let db: Db;
  let fixture: BenchFixture;
  beforeAll(async () => {
    db = (await openDb({})).db;
    fixture = await startFixture(db, { clients: 6, rooms: 2 });
  }, 120_000);
  afterAll(async () => {
    await fixture?.platform.close();
    await db?.close();
  });

  it('stores every send it counts, in batches, and refuses none', { timeout: 120_000 }, async () => {
    const before = await messageCount(db);
    const result = await measurePipelineOnly(db, fixture.platform.config, fixture.clients, {
      feeders: 2,
      windowPerFeeder: 12,
      bodyBytes: 50,
      warmupMs: 0,
      measureMs: 1_000,
      onProgress: () => undefined,
    });
    expect(result.refused).toBe(0);
    expect(result.inFlight).toBe(24);
    expect(result.acked).toBeGreaterThan(0);
    expect(result.meanBatchSize).toBeGreaterThan(1);
    // Sends still answered after the window count in the database but not in `acked`.
    expect((await messageCount(db)) - before).toBeGreaterThanOrEqual(result.acked);
  });
});

async function messageCount(db: Db): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages')).rows[0]!.n;
}
