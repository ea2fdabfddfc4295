/**
 * One REST fuzz case: a route from the OpenAPI document, called as admin, as a user, or with no
 * or a bad credential, with hostile path, query, header and body values; or, now and then, a
 * raw request that breaks HTTP itself.
 */
import { hostileString, jsonBody, type JsonSchema } from './json-values.js';
import type { Operation, Parameter } from './openapi.js';
import { bytes, chance, int, pick, skewedLength, weighted, type Random } from './random.js';
import { laneDevice, type FuzzDevice, type FuzzWorld, type GeneratorContext, type KnownDefect } from './world.js';

export type Role = 'admin' | 'user' | 'peer' | 'anonymous' | 'bad-credential' | 'expired';

export interface HttpRequestCase {
  kind: 'request';
  operation: string;
  role: Role;
  method: string;
  /** Path and query, as sent on the request line. */
  target: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface RawRequestCase {
  kind: 'raw';
  operation: string;
  role: Role;
  bytes: Buffer;
}

export type RestCase = HttpRequestCase | RawRequestCase;

function credential(random: Random, role: Role, world: FuzzWorld, index: number): string | undefined {
  switch (role) {
    case 'admin':
      return `Bearer ${world.adminToken}`;
    case 'user':
      return `Bearer ${laneDevice(world, index).token}`;
    case 'peer':
      return `Bearer ${world.peer.token}`;
    case 'expired':
      return `Bearer ${world.expiredToken}`;
    case 'anonymous':
      return undefined;
    case 'bad-credential':
      return pick(random, ['Bearer', 'Bearer ', 'Basic YTpi', 'bearer x.y.z', `Bearer ${'a'.repeat(8000)}`, `Bearer ${world.adminToken}x`]);
  }
}

/** Ids of the fuzz world where a parameter names one, so hostile bodies reach real rooms and users. */
function plausibleId(random: Random, name: string, world: FuzzWorld, index: number): string {
  const device = laneDevice(world, index);
  if (name === 'deviceId') return pick(random, [device.deviceId, world.peer.deviceId, world.unknownId]);
  if (name === 'userId' || name === 'userIds' || name === 'members')
    return pick(random, [device.userId, world.peer.userId, world.unknownId]);
  return pick(random, [world.roomId, world.roomId, world.unknownId]);
}

/** Percent-encodes the UTF-8 bytes of `text`; unlike encodeURIComponent it takes lone surrogates (as U+FFFD). */
const percentEncode = (text: string): string =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');

function pathValue(random: Random, name: string, world: FuzzWorld, index: number, allowNul: boolean): string {
  return weighted<() => string>(random, [
    [6, () => percentEncode(plausibleId(random, name, world, index))],
    [2, () => percentEncode(hostileString(random, allowNul))],
    [1, () => pick(random, ['..', '%2e%2e', '%', '%zz', '%ff', 'a%2Fb', ';', '*', '~'])],
    [allowNul ? 1 : 0, () => '%00'],
  ])();
}

/** Integers beyond any column (and beyond a double): known to be answered 500 today (`int-range`). */
const OUT_OF_RANGE_INTEGERS = ['1e400', 'Infinity', '18446744073709551616'];

function queryValue(random: Random, parameter: Parameter, world: FuzzWorld, index: number, defects: ReadonlySet<KnownDefect>): string {
  const type = parameter.schema.type;
  const isNumber = type === 'integer' || type === 'number';
  const allowNul = defects.has('nul-text');
  return weighted<() => string>(random, [
    [4, () => (isNumber ? String(int(random, 0, 200)) : plausibleId(random, parameter.name, world, index))],
    [isNumber ? 4 : 1, () => pick(random, ['-1', '0', '1.5', '9007199254740993', '2147483648', 'NaN', '0x10', '', ' 1', '1 '])],
    [isNumber && defects.has('int-range') ? 2 : 0, () => pick(random, OUT_OF_RANGE_INTEGERS)],
    [2, () => percentEncode(hostileString(random, allowNul))],
    [1, () => Array.from({ length: int(random, 2, 600) }, () => plausibleId(random, parameter.name, world, index)).join(',')],
    [allowNul ? 1 : 0, () => '%00'],
  ])();
}

function expand(random: Random, operation: Operation, world: FuzzWorld, index: number, defects: ReadonlySet<KnownDefect>): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => pathValue(random, name, world, index, defects.has('nul-text')));
  const query = operation.parameters
    .filter((p) => p.in === 'query' && (p.required || chance(random, 0.6)))
    .flatMap((p) => Array.from({ length: chance(random, 0.1) ? 2 : 1 }, () => `${p.name}=${queryValue(random, p, world, index, defects)}`));
  if (chance(random, 0.1)) query.push(`${pick(random, ['x', '__proto__', 'limit[]', ''])}=${pick(random, ['1', '', '%'])}`);
  return query.length === 0 ? path : `${path}?${query.join('&')}`;
}

function headers(
  random: Random,
  operation: Operation,
  authorization: string | undefined,
  hasBody: boolean,
  defects: ReadonlySet<KnownDefect>,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (authorization !== undefined) out['authorization'] = authorization;
  if (hasBody || chance(random, 0.1))
    out['content-type'] = weighted(random, [
      [8, 'application/json'],
      [1, 'application/json; charset=utf-16'],
      [1, pick(random, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', ''])],
    ]);
  for (const parameter of operation.parameters.filter((p) => p.in === 'header' && chance(random, 0.7)))
    out[parameter.name] = pick(random, [
      ...['*', '"1"', 'W/"1"', '"0"', '"2147483647"', '"-1"', 'x', '', '"1", "2"'],
      // Beyond the 32-bit column it is compared with: answered 500 today (`int-range`).
      ...(defects.has('int-range') ? ['"2147483648"', '"99999999999999999999"', `"${'9'.repeat(500)}"`] : []),
    ]);
  if (chance(random, 0.1))
    out[pick(random, ['x-forwarded-for', 'accept', 'accept-encoding', 'origin'])] = pick(random, [
      '*',
      '::1',
      'gzip;q=2',
      'x'.repeat(4000),
    ]);
  return out;
}

/** Requests that break HTTP itself: the server must answer or close, and close what it does not serve. */
function rawRequest(random: Random, operation: Operation, authorization: string | undefined): Buffer {
  const auth = authorization === undefined ? '' : `Authorization: ${authorization}\r\n`;
  const path = operation.path.replace(/\{\w+\}/g, 'x');
  return weighted<() => Buffer>(random, [
    [
      2,
      () =>
        Buffer.from(
          `${operation.method} ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${int(random, 10, 100_000)}\r\n\r\n{"a":`,
        ),
    ],
    [
      2,
      () =>
        Buffer.from(
          `${operation.method} ${path} HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n${pick(random, ['zz', 'ffffffffff', '5\r\n{"a"', '-1'])}\r\n`,
        ),
    ],
    [1, () => Buffer.from(`${operation.method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}`)],
    [1, () => Buffer.from(`GET /${'a'.repeat(pick(random, [9000, 70_000]))} HTTP/1.1\r\nHost: x\r\n\r\n`)],
    [1, () => Buffer.from(`${operation.method} ${path} HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n Folded: y\r\n\r\n`)],
    [1, () => Buffer.from(`GET ${path} HTTP/1.0\r\n\r\nGET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)],
    [1, () => Buffer.concat([Buffer.from(`${operation.method} ${path} HTTP/1.1\r\n`), bytes(random, skewedLength(random, 512))])],
  ])();
}

/**
 * Paths whose admin calls cut a user off (deletion, token revocation), whatever the method sent:
 * aimed at the fuzz run's own users they would end the honest sessions the oracles watch, so
 * there every user id is the unknown one (the calls are still fuzzed, and answered 404 or 400).
 */
const CUTS_OFF_USERS: ReadonlySet<string> = new Set(['/v1/admin/users/{userId}', '/v1/admin/revocations']);

/** The world with every user id of it replaced by one no user has (credentials unchanged). */
function withoutUsers(world: FuzzWorld): FuzzWorld {
  const unknown = (device: FuzzDevice): FuzzDevice => ({ ...device, userId: world.unknownId });
  return { ...world, attackerDevices: world.attackerDevices.map(unknown), peer: unknown(world.peer) };
}

export function generateRestCase(random: Random, context: GeneratorContext, index: number, operations: readonly Operation[]): RestCase {
  const operation = pick(random, operations);
  const { world } = CUTS_OFF_USERS.has(operation.path) ? { world: withoutUsers(context.world) } : context;
  const allowNul = context.knownDefects.has('nul-text');
  const role = weighted<Role>(random, [
    [4, 'admin'],
    [4, 'user'],
    [1, 'peer'],
    [2, 'anonymous'],
    [1, 'bad-credential'],
    [1, 'expired'],
  ]);
  const authorization = credential(random, role, world, index);
  const name = `${operation.method} ${operation.path}`;
  if (chance(random, 0.06)) return { kind: 'raw', operation: name, role, bytes: rawRequest(random, operation, authorization) };
  const method = chance(random, 0.04) ? pick(random, ['PUT', 'DELETE', 'PATCH', 'TRACE', 'OPTIONS', 'HEAD']) : operation.method;
  const sendsBody = operation.body !== undefined ? chance(random, 0.95) : chance(random, 0.05);
  const options = {
    allowNul,
    plausibleString: (field: string, schema: JsonSchema) =>
      schema.pattern !== undefined || field.endsWith('Id') || field === 'members'
        ? plausibleId(random, field, world, index)
        : pick(random, ['fuzz', 'text/plain', 'apns', 'fcm', 'a'.repeat(64)]),
  };
  const body = sendsBody ? jsonBody(random, operation.body ?? { type: 'object' }, options) : undefined;
  return {
    kind: 'request',
    operation: name,
    role,
    method,
    target: expand(random, operation, world, index, context.knownDefects),
    headers: headers(random, operation, authorization, body !== undefined, context.knownDefects),
    body,
  };
}
