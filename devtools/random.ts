/**
 * A seedable PRNG (mulberry32): small, fast, and good enough to draw a typist's gaps or a fleet's
 * choices; the same seed gives the same run.
 */
export type Random = () => number;

export function createSeededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer in [min, max]. */
export const randomInt = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

/** Milliseconds drawn from an exponential distribution with the given mean (Poisson arrivals). */
export const exponentialMs = (random: Random, meanMs: number): number => -meanMs * Math.log(1 - random());
