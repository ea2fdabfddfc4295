/**
 * The send pipeline against bad input and a failing database, on a real database (run by one
 * file per backend): a poisoned send is answered alone and never costs an honest neighbour its
 * place; an unreachable database is answered with a retryable Nack, and sends resume once it is
 * back. The broker side is a recording port: the pipeline's answers are its return values.
 */
import fc from 'fast-check';
import protobuf from 'protobufjs/minimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSendPipeline, type SendPipelineOptions } from '../../bridge/index.js';
import { silentLogger } from '../../lib/log.js';
import type { Publisher } from '../../lib/publisher.js';
import { createMetrics } from '../../lib/metrics.js';
import { NackReason, decodeInboxItem, encodeSend, inboxTopic, type Send } from '../../schema/index.js';
import { createRoom, createUser, getHistory, withTypedErrors, type Db } from '../../store/index.js';
import { unreachableDb, type UnreachableDb } from '../support/unreachable-db.js';

const OPTIONS: SendPipelineOptions = {
  maxBodyBytes: 1024,
  batchMaxMessages: 64,
  batchMaxWaitMs: 5,
  sendRatePerSecond: 1_000_000,
  sendBurst: 1_000_000,
  sendQueueMaxMessages: 10_000,
  dbProbeIntervalMs: 500,
};

/** Passes validation, but the test database refuses it with a CHECK constraint (SQLSTATE 23514). */
const REFUSED_CONTENT_TYPE = 'application/x-refused-by-constraint';

function recordingPort(): Publisher & { published: { topic: string; payload: Uint8Array }[] } {
  const published: { topic: string; payload: Uint8Array }[] = [];
  return {
    published,
    async publish(topic, payload) {
      published.push({ topic, payload });
    },
  };
}

export function describeSendIsolation(name: string, open: () => Promise<{ db: Db; close: () => Promise<void> }>): void {
  describe(`send isolation: ${name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let alice: string;
    let bob: string;

    beforeAll(async () => {
      ({ db, close } = await open());
      await db.exec(`ALTER TABLE messages ADD CONSTRAINT test_refused CHECK (content_type <> '${REFUSED_CONTENT_TYPE}')`);
      alice = (await createUser(db, { name: 'alice' })).id;
      bob = (await createUser(db, { name: 'bob' })).id;
    });
    afterAll(async () => close());

    async function freshRoom(): Promise<string> {
      return (await createRoom(db, { kind: 'group', name: 'r', memberIds: [alice, bob] })).id;
    }

    const honest = (roomId: string, clientMsgId: string): Send => ({
      roomId,
      clientMsgId,
      roomVersion: 1,
      body: new TextEncoder().encode(`hello ${clientMsgId}`),
      contentType: 'text/plain',
    });

    function pipelineOn(database: Db, options: Partial<SendPipelineOptions> = {}, now?: () => number) {
      const port = recordingPort();
      const pipeline = createSendPipeline(
        { db: database, publisher: port, log: silentLogger(), metrics: createMetrics(), ...(now === undefined ? {} : { now }) },
        { ...OPTIONS, ...options },
      );
      return { pipeline, port };
    }

    const storedSeqs = async (roomId: string) => (await getHistory(db, roomId, { after: 0, limit: 500 })).messages;

    it('stores the honest sends batched with a send whose content_type holds a NUL, and Nacks that one alone, naming the field', async () => {
      const roomId = await freshRoom();
      const { pipeline } = pipelineOn(db);
      const poisoned = { ...honest(roomId, 'poison'), contentType: 'text/plain\u0000' };
      const results = await Promise.all(
        [honest(roomId, 'h1'), poisoned, honest(roomId, 'h2')].map((send) => pipeline.handleSend({ userId: alice, deviceId: 'p' }, send)),
      );
      expect(results.map((r) => r.status)).toEqual(['stored', 'rejected', 'stored']);
      expect(results[1]).toMatchObject({
        nack: { reason: NackReason.NACK_REASON_MALFORMED, detail: 'content_type contains a NUL character' },
      });
      expect((await storedSeqs(roomId)).map((m) => [m.seq, m.clientMsgId])).toEqual([
        [1, 'h1'],
        [2, 'h2'],
      ]);
    });

    it('names the field whose bytes are not UTF-8 in a send off the wire, and still stores its neighbours', async () => {
      const roomId = await freshRoom();
      const { pipeline, port } = pipelineOn(db);
      const bad = protobuf.Writer.create();
      bad.uint32((1 << 3) | 2).string(roomId);
      bad.uint32((2 << 3) | 2).string('bad-utf8');
      bad.uint32((3 << 3) | 0).uint32(1);
      bad.uint32((5 << 3) | 2).bytes(new Uint8Array([0x74, 0xc3, 0x28]));
      const payloads = [encodeSend(honest(roomId, 'w1')), bad.finish(), encodeSend(honest(roomId, 'w2'))];
      const results = await Promise.all(payloads.map((p) => pipeline.handlePayload({ userId: alice, deviceId: 'p' }, Buffer.from(p))));
      expect(results.map((r) => r?.status)).toEqual(['stored', 'rejected', 'stored']);
      expect(results[1]).toMatchObject({ nack: { reason: NackReason.NACK_REASON_MALFORMED, detail: 'content_type is not valid UTF-8' } });
      await pipeline.drain();
      const inbox = port.published.filter((p) => p.topic === inboxTopic(alice)).map((p) => decodeInboxItem(p.payload));
      expect(inbox.flatMap((item) => ('nack' in item ? [item.nack.clientMsgId] : []))).toContain('bad-utf8');
    });

    it('splits a batch the database refuses for one row: every other row is stored gaplessly and the culprit is Nacked', async () => {
      const roomId = await freshRoom();
      const { pipeline } = pipelineOn(db);
      const sends = Array.from({ length: 20 }, (_, i) => honest(roomId, `s${i}`));
      sends[7] = { ...sends[7]!, contentType: REFUSED_CONTENT_TYPE };
      sends[13] = { ...sends[13]!, contentType: REFUSED_CONTENT_TYPE };
      const results = await Promise.all(sends.map((send) => pipeline.handleSend({ userId: bob, deviceId: 'p' }, send)));
      const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [[i, r.nack.reason, r.nack.detail]] : []));
      expect(refused).toEqual([
        [7, NackReason.NACK_REASON_MALFORMED, 'refused by the database (SQLSTATE 23514)'],
        [13, NackReason.NACK_REASON_MALFORMED, 'refused by the database (SQLSTATE 23514)'],
      ]);
      const stored = await storedSeqs(roomId);
      expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
      expect(stored.map((m) => m.clientMsgId)).toEqual(sends.map((s) => s.clientMsgId).filter((id) => id !== 's7' && id !== 's13'));
    });

    it('acks every honest send and Nacks every poisoned one in random mixes, with gapless seqs (property)', async () => {
      type Kind = 'honest' | 'nul' | 'surrogate' | 'invalid-utf8' | 'long-type' | 'huge-body' | 'constraint' | 'nul-room';
      const kinds = fc.constantFrom<Kind>(
        'honest',
        'honest',
        'honest',
        'nul',
        'surrogate',
        'invalid-utf8',
        'long-type',
        'huge-body',
        'constraint',
        'nul-room',
      );
      const text = fc.string({ maxLength: 20 }).map((s) => s.replace(/[\u0000\uD800-\uDFFF]/g, 'x'));
      const sendSpec = fc.record({ kind: kinds, prefix: text, suffix: text, sender: fc.constantFrom('alice', 'bob') });
      await fc.assert(
        fc.asyncProperty(fc.array(sendSpec, { minLength: 1, maxLength: 40 }), async (specs) => {
          const roomId = await freshRoom();
          const { pipeline } = pipelineOn(db);
          const payloads = specs.map((spec, i) => payloadFor(roomId, `m${i}`, spec));
          const results = await Promise.all(
            payloads.map((payload, i) =>
              pipeline.handlePayload({ userId: specs[i]!.sender === 'alice' ? alice : bob, deviceId: 'p' }, Buffer.from(payload)),
            ),
          );
          const stored = await storedSeqs(roomId);
          specs.forEach((spec, i) => {
            const result = results[i];
            if (spec.kind === 'honest') expect(result?.status, `honest send ${i}`).toBe('stored');
            else expect(result, `${spec.kind} send ${i}`).toMatchObject({ status: 'rejected', nack: { clientMsgId: `m${i}` } });
          });
          expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
          expect(stored.map((m) => m.clientMsgId)).toEqual(specs.flatMap((s, i) => (s.kind === 'honest' ? [`m${i}`] : [])));
        }),
        { numRuns: 25 },
      );

      function payloadFor(roomId: string, clientMsgId: string, spec: { kind: Kind; prefix: string; suffix: string }): Uint8Array {
        const base = honest(roomId, clientMsgId);
        const mid = `${spec.prefix}text/plain${spec.suffix}`.slice(0, 100);
        switch (spec.kind) {
          case 'honest':
            return encodeSend({ ...base, contentType: mid });
          case 'nul':
            return encodeSend({ ...base, contentType: `${spec.prefix}\u0000${spec.suffix}` });
          case 'surrogate':
            return encodeSend({ ...base, contentType: `${spec.prefix}\uD83D${spec.suffix}` });
          case 'long-type':
            return encodeSend({ ...base, contentType: 'x'.repeat(129) });
          case 'huge-body':
            return encodeSend({ ...base, body: new Uint8Array(OPTIONS.maxBodyBytes + 1) });
          case 'constraint':
            return encodeSend({ ...base, contentType: REFUSED_CONTENT_TYPE });
          case 'nul-room':
            return encodeSend({ ...base, roomId: `${roomId}\u0000` });
          case 'invalid-utf8': {
            const w = protobuf.Writer.create();
            w.uint32((1 << 3) | 2).string(roomId);
            w.uint32((2 << 3) | 2).string(clientMsgId);
            w.uint32((3 << 3) | 0).uint32(1);
            w.uint32((5 << 3) | 2).bytes(new Uint8Array([...new TextEncoder().encode(spec.prefix), 0xff, 0xfe]));
            return w.finish();
          }
        }
      }
    }, 60_000);

    it('limits each device to its burst and rate: the excess gets RATE_LIMITED with the wait until its next token', async () => {
      const roomId = await freshRoom();
      let clockMs = 0;
      const { pipeline } = pipelineOn(db, { sendRatePerSecond: 2, sendBurst: 3 }, () => clockMs);
      const phone = { userId: alice, deviceId: 'phone' };
      const burst = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((id) => pipeline.handleSend(phone, honest(roomId, id))));
      expect(burst.map((r) => r.status)).toEqual(['stored', 'stored', 'stored', 'rejected']);
      expect(burst[3]).toMatchObject({ nack: { reason: NackReason.NACK_REASON_RATE_LIMITED, retryAfterMs: 500 } });
      const otherDevice = await pipeline.handleSend({ userId: alice, deviceId: 'tablet' }, honest(roomId, 't1'));
      expect(otherDevice.status).toBe('stored');
      clockMs += 500;
      expect((await pipeline.handleSend(phone, honest(roomId, 'r4'))).status).toBe('stored');
    });

    it('Nacks UNAVAILABLE at once when more sends wait for a batch than the queue holds', async () => {
      const roomId = await freshRoom();
      const { pipeline } = pipelineOn(db, { sendQueueMaxMessages: 2 });
      const results = await Promise.all(
        ['q1', 'q2', 'q3'].map((id) => pipeline.handleSend({ userId: alice, deviceId: 'p' }, honest(roomId, id))),
      );
      expect(results.map((r) => r.status)).toEqual(['stored', 'stored', 'rejected']);
      expect(results[2]).toMatchObject({ nack: { reason: NackReason.NACK_REASON_UNAVAILABLE, retryAfterMs: OPTIONS.dbProbeIntervalMs } });
    });

    describe('when the database is unreachable', () => {
      let flaky: UnreachableDb;
      let clockMs = 1_000_000;
      const now = (): number => clockMs;

      beforeAll(async () => {
        flaky = await unreachableDb(db);
      });

      it('Nacks the batch UNAVAILABLE with the probe interval as retry-after, then Nacks at once without trying the database', async () => {
        const roomId = await freshRoom();
        const { pipeline } = pipelineOn(withTypedErrors(flaky), {}, now);
        flaky.down = true;
        const before = flaky.refusedCalls;
        const first = await Promise.all(
          [honest(roomId, 'u1'), honest(roomId, 'u2')].map((s) => pipeline.handleSend({ userId: alice, deviceId: 'p' }, s)),
        );
        expect(first.map((r) => r.status === 'rejected' && [r.nack.reason, r.nack.retryAfterMs])).toEqual([
          [NackReason.NACK_REASON_UNAVAILABLE, 500],
          [NackReason.NACK_REASON_UNAVAILABLE, 500],
        ]);
        expect(flaky.refusedCalls - before).toBe(1); // one batch, one attempt: an outage is never split
        expect(pipeline.breaker().state()).toBe('open');

        clockMs += 200;
        const meanwhile = await pipeline.handleSend({ userId: alice, deviceId: 'p' }, honest(roomId, 'u3'));
        expect(meanwhile).toMatchObject({ status: 'rejected', nack: { reason: NackReason.NACK_REASON_UNAVAILABLE, retryAfterMs: 300 } });
        expect(flaky.refusedCalls - before).toBe(1);

        clockMs += 300; // probe due, database still down: one attempt, open again
        const probe = await pipeline.handleSend({ userId: alice, deviceId: 'p' }, honest(roomId, 'u4'));
        expect(probe).toMatchObject({ status: 'rejected', nack: { reason: NackReason.NACK_REASON_UNAVAILABLE, retryAfterMs: 500 } });
        expect(flaky.refusedCalls - before).toBe(2);

        flaky.down = false; // back: the first send after the next probe time is stored, and the rest follow
        clockMs += 500;
        const resumed = await Promise.all(
          ['u1', 'u2', 'u3', 'u4'].map((id) => pipeline.handleSend({ userId: alice, deviceId: 'p' }, honest(roomId, id))),
        );
        expect(resumed.map((r) => r.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
        expect(pipeline.breaker().state()).toBe('closed');
        expect((await storedSeqs(roomId)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
      });
    });
  });
}
