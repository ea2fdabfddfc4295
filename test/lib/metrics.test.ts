/**
 * chat_push_backlog is read at each scrape; a failing or hung read leaves the gauge without a
 * series and the scrape still answers (chat_dependency_up tells why).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics, type PushBacklog } from '../../lib/metrics.js';
import { sampleValue } from '../support/prometheus.js';

const scrape = (pushBacklog: () => Promise<PushBacklog>) => createMetrics({ pushBacklog }).registry.metrics();

describe('chat_push_backlog', () => {
  afterEach(() => vi.useRealTimers());

  it('reports each queue as read at the scrape', async () => {
    let outbox = 3;
    const metrics = createMetrics({ pushBacklog: async () => ({ outbox, deliveries: 5 }) });
    const first = await metrics.registry.metrics();
    expect([
      sampleValue(first, 'chat_push_backlog', 'queue="outbox"'),
      sampleValue(first, 'chat_push_backlog', 'queue="deliveries"'),
    ]).toEqual([3, 5]);
    outbox = 0;
    expect(sampleValue(await metrics.registry.metrics(), 'chat_push_backlog', 'queue="outbox"')).toBe(0);
  });

  it('has no series, and the scrape answers, when the read fails', async () => {
    const text = await scrape(() => Promise.reject(new Error('database down')));
    expect(text).toContain('# TYPE chat_push_backlog gauge');
    expect(text).not.toMatch(/^chat_push_backlog\{/m);
  });

  it('gives up on a read that does not answer within a second', async () => {
    vi.useFakeTimers();
    const pending = scrape(() => new Promise<PushBacklog>(() => undefined));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await pending).not.toMatch(/^chat_push_backlog\{/m);
  });

  it('has no series in a process without a push worker', async () => {
    expect(await createMetrics().registry.metrics()).not.toMatch(/^chat_push_backlog\{/m);
  });
});
