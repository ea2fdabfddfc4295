/**
 * Byte-level mutations shared by every binary target (MQTT over TCP, MQTT inside WebSocket
 * frames, protobuf payloads): the classic AFL-style set of flips, interesting values,
 * truncations, duplications and splices, applied one to a few times to a valid input.
 */
import { bytes, int, pick, skewedLength, weighted, type Random } from './random.js';

/** Values that sit on boundaries: sign bits, varint continuation bits, MQTT type nibbles. */
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x10, 0x20, 0x30, 0x3f, 0xc0, 0xe0, 0xf0];

type Mutation = (random: Random, input: Buffer) => Buffer;

const flipBit: Mutation = (random, input) => {
  if (input.length === 0) return input;
  const out = Buffer.from(input);
  const i = int(random, 0, out.length - 1);
  out[i] = out[i]! ^ (1 << int(random, 0, 7));
  return out;
};

const setInterestingByte: Mutation = (random, input) => {
  if (input.length === 0) return Buffer.from([pick(random, INTERESTING_BYTES)]);
  const out = Buffer.from(input);
  out[int(random, 0, out.length - 1)] = pick(random, INTERESTING_BYTES);
  return out;
};

const truncate: Mutation = (random, input) => input.subarray(0, int(random, 0, Math.max(0, input.length - 1)));

const dropRange: Mutation = (random, input) => {
  if (input.length < 2) return input;
  const start = int(random, 0, input.length - 1);
  const end = int(random, start, Math.min(input.length, start + 16));
  return Buffer.concat([input.subarray(0, start), input.subarray(end)]);
};

const insertBytes: Mutation = (random, input) => {
  const at = int(random, 0, input.length);
  return Buffer.concat([input.subarray(0, at), bytes(random, skewedLength(random, 64) + 1), input.subarray(at)]);
};

const duplicateRange: Mutation = (random, input) => {
  if (input.length === 0) return input;
  const start = int(random, 0, input.length - 1);
  const end = int(random, start + 1, input.length);
  const at = int(random, 0, input.length);
  return Buffer.concat([input.subarray(0, at), input.subarray(start, end), input.subarray(at)]);
};

const repeatWhole: Mutation = (random, input) => Buffer.concat(Array.from({ length: int(random, 2, 8) }, () => input));

const MUTATIONS: readonly (readonly [number, Mutation])[] = [
  [4, flipBit],
  [3, setInterestingByte],
  [2, truncate],
  [2, dropRange],
  [2, insertBytes],
  [1, duplicateRange],
  [1, repeatWhole],
];

/** One to `maxRounds` random mutations, stacked. */
export function mutate(random: Random, input: Buffer, maxRounds = 4): Buffer {
  let out = input;
  const rounds = int(random, 1, maxRounds);
  for (let i = 0; i < rounds; i += 1) out = weighted(random, MUTATIONS)(random, out);
  return out;
}

/** Cuts `input` into 1..maxPieces consecutive pieces (for writes and WebSocket fragments). */
export function splitInto(random: Random, input: Buffer, maxPieces: number): Buffer[] {
  const pieces = int(random, 1, Math.max(1, Math.min(maxPieces, input.length)));
  const cuts = new Set<number>();
  while (cuts.size < pieces - 1) cuts.add(int(random, 1, input.length - 1));
  const sorted = [0, ...[...cuts].sort((a, b) => a - b), input.length];
  return sorted.slice(1).map((end, i) => input.subarray(sorted[i], end));
}
