/**
 * One platform under fuzz with its canary and its fd baseline, and the checks made after every
 * batch: the process is alive, its sockets came back to the baseline, the canary still talks.
 */
import { operationsOf, type Operation } from '../generators/openapi.js';
import type { FindingKind } from './case-result.js';
import { startCanary, type Canary } from './canary.js';
import { settledCensus, takeCensus, type CensusSlack, type FdCensus } from './fd-census.js';
import { httpCall } from './http.js';
import { startPlatformUnderTest, type PlatformUnderTest } from './platform.js';

/**
 * Sockets that may legitimately be open beyond the baseline once a batch has settled: the
 * canary's REST keep-alive connections (undici keeps them 4 s) on the API port, and the push
 * clients' HTTP/2 connections to the in-process stubs. The MQTT and WebSocket ports get none:
 * every fuzz connection there is closed by the end of its case.
 */
const SLACK: CensusSlack = { byPort: { mqtt: 0, ws: 0, api: 4 }, otherSockets: 8, orphanedSockets: 0 };

export interface Verdict {
  kind: FindingKind;
  detail: string;
}

export interface Session {
  readonly platform: PlatformUnderTest;
  readonly operations: readonly Operation[];
  /** The census the next check compares with. */
  baseline(): FdCensus;
  /** Everything wrong after a batch, in the order it was checked; empty when healthy. */
  check(settleMs: number, withCanary?: boolean): Promise<Verdict[]>;
  /** Accepts the current fd counts as the new normal (after a leak was reported once). */
  rebase(): Promise<void>;
  close(): Promise<Verdict[]>;
  lastCensus(): FdCensus;
}

export async function openSession(lanes: number): Promise<Session> {
  const platform = await startPlatformUnderTest({ lanes });
  let canary: Canary;
  let operations: Operation[];
  try {
    canary = await startCanary(platform.ports, platform.canaryUsers);
    const docs = await httpCall({ port: platform.ports.api, method: 'GET', target: '/docs/json', timeoutMs: 10_000 });
    operations = operationsOf(JSON.parse(docs.body));
  } catch (error) {
    await platform.stop();
    throw error;
  }
  const ports = { mqtt: platform.ports.mqtt, ws: platform.ports.ws, api: platform.ports.api };
  let baseline = await takeCensus(platform.pid, ports);
  let last = baseline;
  let dropsSeen = 0;
  return {
    platform,
    operations,
    baseline: () => baseline,
    lastCensus: () => last,
    async check(settleMs, withCanary = true) {
      const exit = platform.exit();
      if (exit !== undefined)
        return [{ kind: 'crash', detail: `the platform exited (code ${exit.code}, signal ${exit.signal}):\n${platform.outputTail()}` }];
      const verdicts: Verdict[] = [];
      const settled = await settledCensus(platform.pid, ports, { baseline, slack: SLACK }, settleMs).catch(() => undefined);
      if (settled === undefined) return [{ kind: 'crash', detail: `the platform's /proc entry is gone:\n${platform.outputTail()}` }];
      last = settled.census;
      if (settled.excess.length > 0)
        verdicts.push({
          kind: 'fd-leak',
          detail: `after ${settleMs} ms: ${settled.excess.join('; ')} (total fds ${settled.census.total}, baseline ${baseline.total})`,
        });
      if (withCanary) {
        const failure = await canary.check();
        if (failure !== undefined) verdicts.push({ kind: 'canary', detail: failure });
        const drops = canary.drops();
        if (drops.length > dropsSeen) verdicts.push({ kind: 'canary-dropped', detail: drops.slice(dropsSeen).join('; ') });
        dropsSeen = drops.length;
      }
      return verdicts;
    },
    async rebase() {
      baseline = await takeCensus(platform.pid, ports);
    },
    async close() {
      canary.close();
      const graceful = await platform.stop();
      return graceful ? [] : [{ kind: 'shutdown-hang', detail: 'SIGTERM did not end the platform in time; it was killed' }];
    },
  };
}
