/**
 * The fuzz suite's CI-bounded run (`npm run fuzz` is the long one): a few thousand seeded cases
 * of every target against the platform as a child process. After every batch the process is
 * alive, its sockets are back to their baseline, and the canary (two SDK phones, TCP and
 * WebSocket) still sends and receives; no case got an undocumented 5xx, a valid device was never
 * refused, and an honest member's sends were acked next to the attacker's.
 */
import { describe, expect, it } from 'vitest';
import { KNOWN_DEFECTS, type KnownDefect } from './generators/world.js';
import { summary } from './harness/report.js';
import { createFuzzRun, failures } from './harness/runner.js';

/**
 * The input classes of the defects issue 9 reported, all fixed since: NUL bytes and poisoned sends
 * ('nul-text', bridge/send-validation.ts and api/input-guard.ts), non-/mqtt WebSocket upgrades
 * ('ws-upgrade-path', broker/ws-upgrade.ts) and out-of-range integers ('int-range', the REST
 * schemas). CI includes every one; they keep their names so a regression is reported by class.
 */
const INCLUDE_KNOWN_DEFECTS: readonly KnownDefect[] = KNOWN_DEFECTS;

/** Fixed, so a CI failure reproduces with `npm run fuzz -- --seed <SEED> ...`; FUZZ_SEED explores another. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 90_210);
const CASES = { mqtt: 600, ws: 800, proto: 800, rest: 1000 };

describe('fuzzing the platform (CI-bounded)', () => {
  it(
    `survives ${Object.values(CASES).reduce((a, b) => a + b)} seeded MQTT, WebSocket, protobuf and REST cases`,
    { timeout: 180_000 },
    async () => {
      const log: string[] = [];
      const run = createFuzzRun({
        seed: SEED,
        cases: CASES,
        batchSize: 200,
        lanes: 12,
        knownDefects: new Set(INCLUDE_KNOWN_DEFECTS),
        waitMs: 2000,
        settleMs: 5000,
        // A failure names its batch; `npm run fuzz -- --seed ... --case ...` narrows it down.
        minimize: false,
        log: (line) => log.push(line),
      });
      const report = await run.run();
      const text = `${log.join('\n')}\n${summary(report, INCLUDE_KNOWN_DEFECTS)}`;
      expect(failures(report), text).toEqual([]);
      for (const [target, count] of Object.entries(CASES))
        expect(
          report.targets[target as keyof typeof CASES].cases + report.targets[target as keyof typeof CASES].skippedKnownDefects,
          target,
        ).toBe(count);
      console.log(summary(report, INCLUDE_KNOWN_DEFECTS));
    },
  );
});
