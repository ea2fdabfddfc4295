/**
 * Seeded randomness for the fuzz generators. Every case is drawn from its own PRNG, seeded from
 * (run seed, target, case index), so one case can be replayed alone without replaying the ones
 * before it: `npm run fuzz -- --seed S --target T --case I`.
 */
import { createSeededRandom, randomInt, type Random } from '../../../devtools/index.js';

export type { Random };
export { createSeededRandom };

/** murmur3's 32-bit finalizer: spreads neighbouring inputs over the whole range. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The seed of one case: a pure function of the run seed, the target's name and the case index. */
export function caseSeed(runSeed: number, target: string, index: number): number {
  let h = mix32(runSeed);
  for (const char of target) h = mix32(h ^ char.charCodeAt(0));
  return mix32(h ^ mix32(index + 0x9e3779b9));
}

/** The random source one case draws everything from. */
export const caseRandom = (runSeed: number, target: string, index: number): Random => createSeededRandom(caseSeed(runSeed, target, index));

export const int = (random: Random, min: number, max: number): number => randomInt(random, min, max);

export const chance = (random: Random, probability: number): boolean => random() < probability;

export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[Math.floor(random() * items.length)]!;
}

/** Picks a generator by weight: `[[3, a], [1, b]]` draws a three times as often as b. */
export function weighted<T>(random: Random, options: readonly (readonly [number, T])[]): T {
  const total = options.reduce((sum, [weight]) => sum + weight, 0);
  let point = random() * total;
  for (const [weight, value] of options) {
    point -= weight;
    if (point < 0) return value;
  }
  return options[options.length - 1]![1];
}

export function bytes(random: Random, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) out[i] = Math.floor(random() * 256);
  return out;
}

/**
 * A length skewed towards small values but reaching `max` now and then: most bugs need a few
 * bytes, some need a lot.
 */
export function skewedLength(random: Random, max: number): number {
  const scale = pick(random, [8, 64, 512, max]);
  return int(random, 0, Math.min(scale, max));
}
