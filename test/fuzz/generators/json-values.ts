/**
 * JSON request bodies as text, shaped by a route's JSON schema but with hostile leaves: wrong
 * types, boundary and absurd numbers (1e400, 2^64), long and strange strings, prototype keys,
 * duplicate keys, and nesting deep enough to hurt a recursive parser or validator. Written as
 * text because JSON.stringify cannot say `1e400` or repeat a key.
 */
import { chance, int, pick, weighted, type Random } from './random.js';

/** The parts of JSON Schema (as @fastify/swagger emits it) the generator follows. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
}

export interface JsonOptions {
  /** Strings the schema would accept, for the leaves that stay valid (ids of the fuzz world). */
  plausibleString(name: string, schema: JsonSchema): string;
  /** Whether strings may hold U+0000 (a known defect of issue 9 when it reaches the database). */
  allowNul: boolean;
}

const HUGE_NUMBERS = [
  '1e400',
  '-1e400',
  '18446744073709551616',
  '9007199254740993',
  '-0',
  '1e-400',
  '0.5',
  '4294967296',
  '2147483648',
  '-1',
];

export function hostileString(random: Random, allowNul: boolean): string {
  return weighted<() => string>(random, [
    [2, () => ''],
    [2, () => 'x'.repeat(pick(random, [64, 65, 128, 129, 200, 201, 2000, 2001, 8193, 60_000]))],
    [
      2,
      () =>
        pick(random, [
          "'; DROP TABLE users; --",
          '%s%n',
          '{{7*7}}',
          '../../etc/passwd',
          '<script>',
          '\u202e',
          '\ud800',
          '\udfff\ud800',
          '😀',
        ]),
    ],
    [1, () => String.fromCharCode(...Array.from({ length: int(random, 1, 31) }, (_, i) => i + 1))],
    [1, () => pick(random, ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'])],
    [allowNul ? 2 : 0, () => pick(random, ['\u0000', 'a\u0000b', 'text/plain\u0000'])],
  ])();
}

/** A JSON string literal: escapes as JSON.stringify does, lone surrogates included. */
const quote = (text: string): string => JSON.stringify(text);

function wrongType(random: Random, options: JsonOptions): string {
  return pick(random, [
    'null',
    'true',
    '[]',
    '{}',
    '0',
    pick(random, HUGE_NUMBERS),
    quote(hostileString(random, options.allowNul)),
    '[[[[[]]]]]',
  ]);
}

function numberFor(random: Random, schema: JsonSchema): string {
  return weighted<() => string>(random, [
    [2, () => String(int(random, schema.minimum ?? 0, Math.min(schema.maximum ?? 1000, 1000)))],
    [1, () => String((schema.minimum ?? 0) - 1)],
    [1, () => String((schema.maximum ?? 2 ** 31) + 1)],
    [2, () => pick(random, HUGE_NUMBERS)],
  ])();
}

function stringFor(random: Random, name: string, schema: JsonSchema, options: JsonOptions): string {
  if (schema.enum !== undefined && chance(random, 0.6)) return quote(String(pick(random, schema.enum)));
  return quote(chance(random, 0.5) ? options.plausibleString(name, schema) : hostileString(random, options.allowNul));
}

function objectFor(random: Random, schema: JsonSchema, options: JsonOptions, depth: number): string {
  const properties = Object.entries(schema.properties ?? {});
  const members = properties
    .filter(([name]) => ((schema.required ?? []).includes(name) ? chance(random, 0.9) : chance(random, 0.5)))
    .map(([name, property]) => `${quote(name)}:${valueFor(random, name, property, options, depth + 1)}`);
  if (chance(random, 0.15)) members.push(`${quote(pick(random, ['__proto__', 'constructor', 'extra', '']))}:${wrongType(random, options)}`);
  if (chance(random, 0.1) && members.length > 0) members.push(pick(random, members)); // a duplicate key
  return `{${members.join(',')}}`;
}

function valueFor(random: Random, name: string, schema: JsonSchema, options: JsonOptions, depth: number): string {
  if (depth > 6 || chance(random, 0.12)) return wrongType(random, options);
  const type = Array.isArray(schema.type) ? pick(random, schema.type) : schema.type;
  if (type === undefined && schema.enum !== undefined) return quote(String(pick(random, schema.enum)));
  switch (type) {
    case 'object':
      return objectFor(random, schema, options, depth);
    case 'array': {
      const count = pick(random, [0, 1, 2, int(random, 3, 20), (schema.maxItems ?? 100) + 1]);
      const item = schema.items ?? {};
      return `[${Array.from({ length: Math.min(count, 20_000) }, () => valueFor(random, name, item, options, depth + 1)).join(',')}]`;
    }
    case 'integer':
    case 'number':
      return numberFor(random, schema);
    case 'boolean':
      return pick(random, ['true', 'false', '"true"', '1']);
    case 'string':
      return stringFor(random, name, schema, options);
    default:
      return wrongType(random, options);
  }
}

/** A body for `schema`: usually shaped like it, sometimes deep nesting or not JSON at all. */
export function jsonBody(random: Random, schema: JsonSchema, options: JsonOptions): string {
  return weighted<() => string>(random, [
    [12, () => valueFor(random, '', schema, options, 0)],
    [1, () => `${'['.repeat(pick(random, [100, 5_000, 60_000]))}${']'.repeat(pick(random, [0, 100, 5_000, 60_000]))}`],
    [1, () => `${'{"a":'.repeat(pick(random, [100, 20_000]))}1${'}'.repeat(pick(random, [0, 100, 20_000]))}`],
    [1, () => pick(random, ['', ' ', 'null', '"x"', '{', '{"name":}', '\u00ef\u00bb\u00bf{}', 'NaN', '[1,]'])],
  ])();
}
