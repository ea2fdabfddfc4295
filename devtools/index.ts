/**
 * Development tooling shared by the tests, the benchmarks, the simulator and the demo: virtual
 * time, seeded randomness, command-line flag checks, and the platform's entry points as child
 * processes. It imports nothing else from the repository, and the product never imports it.
 */
export { createVirtualClock, type VirtualClock } from './virtual-clock.js';
export { createSeededRandom, exponentialMs, randomInt, type Random } from './random.js';
export { durationMs, fraction, oneOf, positiveInteger, positiveNumber } from './cli-args.js';
export {
  ENTRY_POINTS,
  PLATFORM_READY,
  runEntryPoint,
  spawnEntryPoint,
  spawnPlatform,
  type EntryProcess,
  type EntryProcessOptions,
} from './entry-process.js';
