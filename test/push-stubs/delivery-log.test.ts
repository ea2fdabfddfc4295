import { describe, expect, it } from 'vitest';
import { createDeliveryLog } from '../../push-stubs/delivery-log.js';

describe('createDeliveryLog', () => {
  it('resolves a wait already satisfied at once, with the matching deliveries in order', async () => {
    const log = createDeliveryLog<{ token: string; n: number }>();
    log.record({ token: 'a', n: 1 });
    log.record({ token: 'b', n: 2 });
    log.record({ token: 'a', n: 3 });

    expect(await log.waitFor(2, { token: 'a' })).toEqual([
      { token: 'a', n: 1 },
      { token: 'a', n: 3 },
    ]);
  });

  it('rejects a wait with ERR_PUSH_STUB_TIMEOUT when too few arrive in time, and on close', async () => {
    const log = createDeliveryLog<{ token: string }>();
    log.record({ token: 'a' });

    await expect(log.waitFor(2, { timeoutMs: 10 })).rejects.toMatchObject({
      code: 'ERR_PUSH_STUB_TIMEOUT',
      details: { seen: 1, count: 2 },
    });
    const pending = log.waitFor(5);
    log.close();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_PUSH_STUB_CLOSED' });
  });

  it('keeps only the latest maxDeliveries', () => {
    const log = createDeliveryLog<{ token: string; n: number }>(2);
    for (const n of [1, 2, 3]) log.record({ token: 'a', n });

    expect(log.list().map((d) => d.n)).toEqual([2, 3]);
  });
});
