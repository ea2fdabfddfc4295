/**
 * The fuzz generators are deterministic per (seed, target, index), so a finding's seed and case
 * index reproduce it; and `--include-known-defects` really switches the known-defect inputs on
 * and off, so the CI run can leave them out until their fixes land.
 */
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { decodeSend } from '../../schema/index.js';
import { generateMqttStream } from './generators/mqtt-streams.js';
import type { Operation } from './generators/openapi.js';
import { generateProtoCase } from './generators/proto-cases.js';
import { caseRandom } from './generators/random.js';
import { generateRestCase } from './generators/rest-cases.js';
import { generateWsCase } from './generators/ws-cases.js';
import { encodeFrame, OPCODE, readServerFrames } from './generators/ws-frames.js';
import { KNOWN_DEFECTS, type FuzzWorld, type GeneratorContext, type KnownDefect } from './generators/world.js';

const device = (userId: string, deviceId: string) => ({ userId, deviceId, token: `token-of-${userId}-${deviceId}` });
const world: FuzzWorld = {
  attackerDevices: [device('attacker', 'lane-0'), device('attacker', 'lane-1')],
  peer: device('peer', 'peer'),
  roomId: 'room-1',
  roomVersion: 2,
  unknownId: 'no-such-id',
  adminToken: 'admin-token',
  expiredToken: 'expired-token',
};
const context = (defects: readonly KnownDefect[]): GeneratorContext => ({ world, knownDefects: new Set(defects) });
const operations: Operation[] = [
  {
    method: 'POST',
    path: '/v1/users',
    parameters: [],
    body: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 200 } } },
  },
  {
    method: 'POST',
    path: '/v1/rooms/{id}/messages',
    parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } }],
    body: {
      type: 'object',
      properties: { clientMsgId: { type: 'string' }, roomVersion: { type: 'integer' }, contentType: { type: 'string' } },
    },
  },
  {
    method: 'GET',
    path: '/v1/presence',
    parameters: [{ in: 'query', name: 'userIds', required: true, schema: { type: 'string' } }],
    body: undefined,
  },
  {
    method: 'GET',
    path: '/v1/rooms/{id}/messages',
    parameters: [{ in: 'query', name: 'before', required: false, schema: { type: 'integer', minimum: 1 } }],
    body: undefined,
  },
  {
    method: 'PATCH',
    path: '/v1/rooms/{id}',
    parameters: [{ in: 'header', name: 'if-match', required: false, schema: { type: 'string' } }],
    body: { type: 'object' },
  },
];

const CASES = 400;
const generators = {
  mqtt: (c: GeneratorContext, i: number) => Buffer.concat(generateMqttStream(caseRandom(7, 'mqtt', i), c, i).pieces),
  ws: (c: GeneratorContext, i: number) => {
    const generated = generateWsCase(caseRandom(7, 'ws', i), c, i);
    return Buffer.concat([generated.request, ...generated.writes]);
  },
  proto: (c: GeneratorContext, i: number) => generateProtoCase(caseRandom(7, 'proto', i), c, i).payload,
  rest: (c: GeneratorContext, i: number) => Buffer.from(JSON.stringify(generateRestCase(caseRandom(7, 'rest', i), c, i, operations))),
};

describe('fuzz generators', () => {
  for (const [target, generate] of Object.entries(generators)) {
    it(`${target}: the same seed and index make the same bytes, other indices other bytes`, () => {
      const first = Array.from({ length: 50 }, (_, i) => generate(context(KNOWN_DEFECTS), i));
      const again = Array.from({ length: 50 }, (_, i) => generate(context(KNOWN_DEFECTS), i));
      expect(again).toEqual(first);
      expect(new Set(first.map((b) => b.toString('hex'))).size).toBeGreaterThan(45);
    });
  }

  it('encodes valid MQTT packets that mqtt-packet parses back', () => {
    let parsed = 0;
    for (let i = 0; i < CASES; i += 1) {
      const stream = generateMqttStream(caseRandom(3, 'mqtt', i), context([]), i);
      if (stream.shape !== 'valid' && stream.shape !== 'pipeline') continue;
      const parser = mqttPacket.parser({ protocolVersion: stream.version });
      parser.on('packet', () => (parsed += 1));
      parser.on('error', () => undefined);
      parser.parse(Buffer.concat(stream.pieces));
    }
    expect(parsed).toBeGreaterThan(CASES / 4);
  });

  it('frames WebSocket payloads so that a frame reader gets them back', () => {
    const payload = Buffer.from('hello mqtt');
    const frames = [
      encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.binary, maskKey: undefined, payload }),
      encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.binary, maskKey: undefined, payload: Buffer.alloc(70_000, 1) }),
    ];
    const { frames: read, rest } = readServerFrames(Buffer.concat(frames));
    expect(read.map((f) => f.payload.length)).toEqual([payload.length, 70_000]);
    expect(read[0]!.payload).toEqual(payload);
    expect(rest.length).toBe(0);
  });

  describe('known defects are generated only when included', () => {
    const nulInSend = (c: GeneratorContext) =>
      Array.from({ length: CASES * 3 }, (_, i) => generateProtoCase(caseRandom(11, 'proto', i), c, i)).filter((p) => {
        if (p.topicKind !== 'send' || p.knownDefect !== undefined) return false;
        try {
          return decodeSend(p.payload).contentType.includes('\u0000');
        } catch {
          return false;
        }
      }).length;
    const otherPaths = (c: GeneratorContext) =>
      Array.from({ length: CASES }, (_, i) => generateWsCase(caseRandom(11, 'ws', i), c, i)).filter((w) => w.handshakeKind === 'other-path')
        .length;
    const nulInRest = (c: GeneratorContext) =>
      Array.from({ length: CASES * 3 }, (_, i) => JSON.stringify(generateRestCase(caseRandom(11, 'rest', i), c, i, operations))).filter(
        (text) => text.includes('\\u0000') || text.includes('%00'),
      ).length;

    it('nul-text: Sends with NUL in content_type reach the platform only when included', () => {
      expect(nulInSend(context([]))).toBe(0);
      expect(nulInSend(context(['nul-text']))).toBeGreaterThan(0);
    });

    it('nul-text: REST strings with NUL only when included', () => {
      expect(nulInRest(context([]))).toBe(0);
      expect(nulInRest(context(['nul-text']))).toBeGreaterThan(0);
    });

    it('int-range: integers beyond every column, in queries and If-Match, only when included', () => {
      const outOfRange = (c: GeneratorContext) =>
        Array.from({ length: CASES * 3 }, (_, i) => generateRestCase(caseRandom(11, 'rest', i), c, i, operations)).filter(
          (r) =>
            r.kind === 'request' &&
            (/=(1e400|Infinity|18446744073709551616)(&|$)/.test(r.target) || /"(2147483648|9{20,})"/.test(r.headers['if-match'] ?? '')),
        ).length;
      expect(outOfRange(context([]))).toBe(0);
      expect(outOfRange(context(['int-range']))).toBeGreaterThan(0);
    });

    it('ws-upgrade-path: upgrades for paths other than /mqtt only when included', () => {
      expect(otherPaths(context([]))).toBe(0);
      expect(otherPaths(context(['ws-upgrade-path']))).toBeGreaterThan(0);
    });
  });

  it('aims the admin calls that cut a user off (deletion, revocation) at no user of the run, whatever the method', () => {
    const cutting: Operation[] = [
      {
        method: 'DELETE',
        path: '/v1/admin/users/{userId}',
        parameters: [{ in: 'path', name: 'userId', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } }],
        body: undefined,
      },
      {
        method: 'POST',
        path: '/v1/admin/revocations',
        parameters: [],
        body: { type: 'object', required: ['userId'], properties: { userId: { type: 'string' }, deviceId: { type: 'string' } } },
      },
    ];
    const cases = Array.from({ length: CASES }, (_, i) => generateRestCase(caseRandom(13, 'rest', i), context([]), i, cutting));
    const requests = cases.filter((r) => r.kind === 'request');
    const aimed = requests.filter((r) => r.target.includes('no-such-id') || (r.body ?? '').includes('no-such-id'));
    expect(aimed.length).toBeGreaterThan(CASES / 4);
    // The run's user ids (the peer's device id is 'peer' too: a device id alone cuts nobody off).
    const atRunUsers = requests.filter((r) => /users\/(attacker|peer)\b|"userId":"(attacker|peer)"/.test(`${r.target} ${r.body ?? ''}`));
    expect(atRunUsers.map((r) => `${r.method} ${r.target} ${r.body ?? ''}`)).toEqual([]);
  });
});
