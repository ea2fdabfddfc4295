/**
 * The main process's handle on the herd workers: forks them (each a Node process with its own
 * fd limit), hands each its share of the phones, and sums what they report.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  addCounters,
  emptyCounters,
  type FromWorker,
  type HerdClientSpec,
  type RetryPolicy,
  type RoundCounters,
  type RoundStats,
  type ToWorker,
} from './reconnect-protocol.js';

export interface HerdProgress {
  connected: number;
  counters: RoundCounters;
}

export interface Herd {
  progress(): HerdProgress;
  /** Resolves when `test` holds for the summed progress (checked on every report), or rejects after `limitMs`. */
  until(test: (progress: HerdProgress) => boolean, limitMs: number, what: string): Promise<void>;
  arm(round: number, policy: RetryPolicy): void;
  collect(): Promise<RoundStats[]>;
  close(): Promise<void>;
}

function sum(all: readonly HerdProgress[]): HerdProgress {
  const counters = emptyCounters();
  for (const { counters: c } of all) {
    addCounters(counters, c);
  }
  return { connected: all.reduce((total, p) => total + p.connected, 0), counters };
}

export interface HerdOptions {
  mqttUrl: string;
  clients: HerdClientSpec[];
  workers: number;
  stableAfterMs: number;
  connectTimeoutMs: number;
  seed: number;
}

export function startHerd(options: HerdOptions): Herd {
  const entry = fileURLToPath(new URL('./reconnect-worker.ts', import.meta.url));
  const latest: HerdProgress[] = [];
  const statsWaiters: ((stats: RoundStats) => void)[][] = [];
  let checks: (() => void)[] = [];
  let failure: Error | undefined;
  let round = 0;
  const children: ChildProcess[] = Array.from({ length: options.workers }, (_, w) => {
    const child = fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    latest[w] = { connected: 0, counters: emptyCounters() };
    statsWaiters[w] = [];
    child.on('message', (message: FromWorker) => {
      if (message.type === 'progress' && message.round === round) latest[w] = { connected: message.connected, counters: message.counters };
      else if (message.type === 'stats') statsWaiters[w]!.shift()?.(message.stats);
      else if (message.type === 'failed') failure = new Error(`herd worker ${w}: ${message.message}`);
      for (const check of checks) check();
    });
    child.once('exit', (code) => {
      failure ??= code === 0 ? undefined : new Error(`herd worker ${w} exited with ${code}`);
      for (const check of checks) check();
    });
    const share = options.clients.filter((_, i) => i % options.workers === w);
    const setup: ToWorker = {
      type: 'setup',
      mqttUrl: options.mqttUrl,
      clients: share,
      stableAfterMs: options.stableAfterMs,
      connectTimeoutMs: options.connectTimeoutMs,
      seed: options.seed * 1000 + w,
    };
    child.send(setup);
    return child;
  });
  const send = (message: ToWorker) => children.forEach((child) => child.send(message));
  return {
    progress: () => sum(latest),
    until(test, limitMs, what) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${what}: not within ${limitMs / 1000} s`)), limitMs);
        const check = () => {
          if (failure !== undefined) finish(failure);
          else if (test(sum(latest))) finish(undefined);
        };
        function finish(error: Error | undefined) {
          clearTimeout(timer);
          checks = checks.filter((c) => c !== check);
          if (error === undefined) resolve();
          else reject(error);
        }
        checks.push(check);
        check();
      });
    },
    arm(next, policy) {
      round = next;
      send({ type: 'arm', round, policy });
      for (const progress of latest) progress.counters = emptyCounters(); // until the workers report on this round
    },
    collect() {
      const answers = children.map((_, w) => new Promise<RoundStats>((resolve) => statsWaiters[w]!.push(resolve)));
      send({ type: 'collect' });
      return Promise.all(answers);
    },
    async close() {
      const exits = children.filter((c) => c.exitCode === null).map((c) => once(c, 'exit'));
      send({ type: 'close' });
      await Promise.all(exits);
    },
  };
}
