/**
 * Protobuf at the wire level (https://protobuf.dev/programming-guides/encoding/), so a payload
 * can say what no generated encoder would: a string field with invalid UTF-8, a varint of 11
 * bytes, a field number nobody defined, a length-delimited field sent as fixed32, a length
 * that runs past the end.
 */
import { bytes, chance, int, pick, skewedLength, weighted, type Random } from './random.js';

export const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

export type FieldKind = 'string' | 'bytes' | 'uint32' | 'uint64' | 'enum' | 'bool';

export interface FieldSpec {
  number: number;
  name: string;
  kind: FieldKind;
}

/** Varint of a non-negative bigint; `padTo` adds continuation bytes (non-minimal, or more than 10). */
export function varint(value: bigint, padTo = 0): Buffer {
  const out: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    out.push(Number(rest & 0x7fn));
    rest >>= 7n;
  } while (rest > 0n);
  while (out.length < padTo) out.push(0);
  return Buffer.from(out.map((byte, i) => (i < out.length - 1 ? byte | 0x80 : byte)));
}

export const tag = (field: number, wireType: number): Buffer => varint((BigInt(field) << 3n) | BigInt(wireType));

export const lengthDelimited = (field: number, data: Buffer, declaredLength = data.length): Buffer =>
  Buffer.concat([tag(field, WIRE.lengthDelimited), varint(BigInt(declaredLength)), data]);

/** Text a database, a logger or a UTF-8 decoder may choke on. `allowNul` false leaves out every way to spell U+0000. */
export function hostileText(random: Random, allowNul: boolean): Buffer {
  const options: (readonly [number, () => Buffer])[] = [
    [2, () => Buffer.from('text/plain')],
    [1, () => Buffer.alloc(0)],
    [2, () => Buffer.from('x'.repeat(pick(random, [64, 65, 128, 129, 1000, 70_000])))],
    [2, () => Buffer.from(pick(random, ["'; DROP TABLE messages; --", '%s%n%x', '\u2028\u2029', '\u202e', '😀'.repeat(40), '\\', '"']))],
    [2, () => Buffer.from([0xff, 0xfe, 0x41])], // bytes no UTF-8 string has
    [1, () => Buffer.from([0xed, 0xa0, 0x80])], // a UTF-16 surrogate encoded as UTF-8
    [1, () => Buffer.from([0xf4, 0x90, 0x80, 0x80])], // beyond U+10FFFF
    [1, () => Buffer.from([0xe2, 0x82])], // a sequence cut short
    [1, () => Buffer.from(Array.from({ length: int(random, 1, 31) }, (_, i) => i + 1))], // control characters
    // Known defect (issue 9): NUL, and the overlong 0xC0 0x80 that lenient decoders turn into NUL.
    [allowNul ? 2 : 0, () => Buffer.concat([Buffer.from('text/'), Buffer.from([0x00]), Buffer.from('plain')])],
    [allowNul ? 1 : 0, () => Buffer.from([0xc0, 0x80])],
  ];
  return weighted(random, options)();
}

function hostileVarint(random: Random): Buffer {
  return weighted<() => Buffer>(random, [
    [3, () => varint(BigInt(pick(random, [0, 1, 2, 127, 128, 0xffffffff, 0x100000000, 2 ** 53 + 1])))],
    [2, () => varint(0xffffffffffffffffn)], // 10 bytes; also how a negative int32 is written
    [1, () => varint(1n, 11)], // more than 10 bytes: malformed
    [1, () => varint(5n, 3)], // non-minimal
  ])();
}

/** One field written with a hostile value for its kind, or with the wrong wire type. */
export function hostileField(random: Random, field: FieldSpec, allowNul: boolean, valid: () => Buffer): Buffer {
  if (chance(random, 0.15)) return wrongWireType(random, field.number);
  switch (field.kind) {
    case 'string':
      return lengthDelimited(field.number, chance(random, 0.4) ? valid() : hostileText(random, allowNul));
    case 'bytes':
      return lengthDelimited(
        field.number,
        chance(random, 0.5) ? valid() : bytes(random, pick(random, [0, 1, skewedLength(random, 4096), 65_537])),
      );
    case 'uint32':
    case 'uint64':
    case 'enum':
    case 'bool':
      return Buffer.concat([tag(field.number, WIRE.varint), chance(random, 0.4) ? valid() : hostileVarint(random)]);
  }
}

function wrongWireType(random: Random, field: number): Buffer {
  return weighted<() => Buffer>(random, [
    [2, () => Buffer.concat([tag(field, WIRE.varint), varint(BigInt(int(random, 0, 1000)))])],
    [2, () => Buffer.concat([tag(field, WIRE.fixed32), bytes(random, 4)])],
    [2, () => Buffer.concat([tag(field, WIRE.fixed64), bytes(random, 8)])],
    [2, () => lengthDelimited(field, bytes(random, int(random, 0, 16)))],
    [1, () => Buffer.concat([tag(field, WIRE.startGroup), tag(field, WIRE.endGroup)])],
    [1, () => tag(field, WIRE.endGroup)],
    [1, () => tag(field, pick(random, [6, 7]))], // wire types that do not exist
  ])();
}

/** A field nobody defined, or one at the edge of the field-number range. */
export function unknownField(random: Random): Buffer {
  const number = pick(random, [6, 15, 16, 100, 2047, 19_000, 536_870_911]);
  return weighted<() => Buffer>(random, [
    [2, () => lengthDelimited(number, bytes(random, skewedLength(random, 256)))],
    [2, () => Buffer.concat([tag(number, WIRE.varint), varint(BigInt(int(random, 0, 2 ** 31)))])],
    [1, () => Buffer.concat([tag(number, WIRE.fixed32), bytes(random, 4)])],
    [1, () => Buffer.concat([tag(0, WIRE.varint), varint(1n)])], // field 0 is invalid
  ])();
}

/** A length-delimited field whose length runs past the end of the message, or is absurd. */
export function lyingLength(random: Random, field: number): Buffer {
  const data = bytes(random, int(random, 0, 8));
  return lengthDelimited(field, data, pick(random, [data.length + 1, data.length + 1000, 2 ** 31 - 1, 2 ** 32 + 5]));
}
