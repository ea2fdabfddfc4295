/**
 * Probes and scrapes do not fill the log: a request to /metrics or /healthz writes no line at
 * info (their routes log at warn and above only), while an ordinary unrouted request still does,
 * which shows the capture would see one.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootLogger } from '../../lib/log.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

describe('request logging of /metrics and /healthz', () => {
  let platform: TestPlatform;
  let lines: { level: number; msg: string; req?: { url?: string } }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.length > 0) lines.push(JSON.parse(line));
      done();
    },
  });

  beforeAll(async () => {
    const log = createRootLogger('info', 'platform', { format: 'json', destination });
    platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' }, {}, { log });
  });
  afterAll(() => platform.stop());

  /** The lines at info and above while the request was answered over a real socket. */
  async function linesDuring(path: string): Promise<typeof lines> {
    lines = [];
    const response = await fetch(`${platform.endpoints.api}${path}`);
    await response.arrayBuffer();
    return lines.filter((line) => line.level >= 30);
  }

  it('writes no info line for a scrape or a health probe', async () => {
    expect(await linesDuring('/metrics')).toEqual([]);
    expect(await linesDuring('/healthz')).toEqual([]);
  });

  it('still logs other requests at info (the capture sees request lines)', async () => {
    const logged = await linesDuring('/no-such-route');
    expect(logged.map((line) => line.msg)).toContain('incoming request');
  });
});
