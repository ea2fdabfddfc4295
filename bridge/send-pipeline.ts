/**
 * The durable path from a raw send payload to its outcome: decode, rate-limit per device and
 * validate, sequence in batches (one transaction each, isolated from bad rows and guarded by a
 * circuit breaker while the database is down), then, only after commit, publish the Message to
 * the room and the Ack or Nack to the sender's inbox.
 */
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { Publisher } from '../lib/publisher.js';
import {
  NackReason,
  decodeSend,
  encodeInboxItem,
  encodeMessage,
  inboxTopic,
  isValidId,
  roomTopic,
  salvageSendIds,
  sendFieldWithInvalidUtf8,
  type Nack,
  type Send,
} from '../schema/index.js';
import type { Config } from '../lib/config.js';
import { createKeyedTokenBuckets } from '../lib/keyed-token-buckets.js';
import type { Db, PendingSend, RejectReason, SendResult } from '../store/index.js';
import { createBatcher } from './batcher.js';
import type { Sender } from './broker-port.js';
import { createCircuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import { appendIsolated, type IsolatedOutcome } from './isolated-append.js';
import { sendProblem } from './send-validation.js';

export interface SendPipelineOptions {
  maxBodyBytes: number;
  batchMaxMessages: number;
  batchMaxWaitMs: number;
  /** Sends one device may make per second, sustained, and at once; beyond, Nack RATE_LIMITED. */
  sendRatePerSecond: number;
  sendBurst: number;
  /** Sends waiting for a batch at most; beyond, Nack UNAVAILABLE (the database is not keeping up). */
  sendQueueMaxMessages: number;
  /** While the database is unreachable: how often one batch probes it (the other sends are Nacked UNAVAILABLE). */
  dbProbeIntervalMs: number;
}

/** The pipeline's options from the configuration (every process that sequences sends). */
export const sendPipelineOptions = (config: Config): SendPipelineOptions => ({
  maxBodyBytes: config.MAX_PAYLOAD_BYTES,
  batchMaxMessages: config.BATCH_MAX_MESSAGES,
  batchMaxWaitMs: config.BATCH_MAX_WAIT_MS,
  sendRatePerSecond: config.SEND_RATE_PER_SECOND,
  sendBurst: config.SEND_BURST,
  sendQueueMaxMessages: config.SEND_QUEUE_MAX_MESSAGES,
  dbProbeIntervalMs: config.DB_PROBE_INTERVAL_MS,
});

export interface SendPipeline {
  /** A send as it came off MQTT. Undefined when the payload was dropped (unreadable, no id to Nack). (Both handlers are handed on alone: the broker's send sink, the API's submitSend.) */
  handlePayload: (sender: Sender, payload: Uint8Array) => Promise<SendResult | undefined>;
  /** A send already decoded (REST). */
  handleSend: (sender: Sender, send: Send) => Promise<SendResult>;
  /** The database breaker (its state, for health and tests). */
  breaker(): CircuitBreaker;
  drain(): Promise<void>;
}

const NACK_FOR_REJECTION: Record<RejectReason, NackReason> = {
  ROOM_NOT_FOUND: NackReason.NACK_REASON_ROOM_NOT_FOUND,
  NOT_MEMBER: NackReason.NACK_REASON_NOT_MEMBER,
  STALE_ROOM_VERSION: NackReason.NACK_REASON_STALE_ROOM_VERSION,
};

export interface SendPipelineDeps {
  db: Db;
  /** Where the Message and the Ack or Nack go: the broker, in-process or over MQTT. */
  publisher: Publisher;
  log: Logger;
  metrics: Metrics;
  /** The clock of rate limits, the breaker and `sent_at_ms`. */
  now?: () => number;
  /** Called after a commit that queued messages for push, so the push worker starts at once instead of at its next poll. */
  onPushQueued?: () => void;
}

export function createSendPipeline(deps: SendPipelineDeps, options: SendPipelineOptions): SendPipeline {
  const { publisher, metrics } = deps;
  const log = deps.log.child({ module: 'send-pipeline' });
  const now = deps.now ?? Date.now;
  const breaker = createCircuitBreaker({ now }, { probeIntervalMs: options.dbProbeIntervalMs });
  const rates = createKeyedTokenBuckets({ now }, { ratePerSecond: options.sendRatePerSecond, burst: options.sendBurst });
  let queued = 0;

  const batcher = createBatcher<PendingSend, SendResult>({
    maxItems: options.batchMaxMessages,
    maxWaitMs: options.batchMaxWaitMs,
    async run(sends) {
      const stopTimer = metrics.sendCommitSeconds.startTimer();
      const { outcomes, pushQueued, transactions } = await appendIsolated({ db: deps.db, breaker }, sends, now());
      stopTimer();
      if (pushQueued > 0) deps.onPushQueued?.();
      metrics.sendBatchSize.observe(sends.length);
      if (transactions > 1) log.warn({ sends: sends.length, transactions }, 'batch refused by the database: split to isolate the bad rows');
      const results = outcomes.map((outcome, i) => resultOf(sends[i]!, outcome));
      // Committed: tell the room and the senders. The publishes are issued here, in seq order,
      // before the next batch can commit; they finish while it does (fan-out and database
      // overlap). A lost publish is healed by the device's retry (it resends until answered).
      track(Promise.all(results.map((result, i) => publishResult(sends[i]!.senderId, result))));
      return results;
    },
  });

  function resultOf(send: PendingSend, outcome: IsolatedOutcome): SendResult {
    switch (outcome.status) {
      case 'stored':
      case 'duplicate':
        return outcome;
      case 'rejected':
        return rejected(send, NACK_FOR_REJECTION[outcome.reason], outcome.reason.toLowerCase(), outcome.roomVersion);
      case 'refused':
        log.warn({ userId: send.senderId, roomId: send.roomId, sqlState: outcome.sqlState }, 'send refused by the database');
        return rejected(send, NackReason.NACK_REASON_MALFORMED, `refused by the database (SQLSTATE ${outcome.sqlState})`);
      case 'unavailable':
        return unavailable(send, outcome.retryAfterMs);
    }
  }

  const publishing = new Set<Promise<unknown>>();
  function track(done: Promise<unknown>): void {
    const settled = done.then(
      () => undefined,
      (error: unknown) => log.warn({ err: (error as Error).message }, 'publish after commit failed; the sender will retry'),
    );
    publishing.add(settled);
    void settled.finally(() => publishing.delete(settled));
  }

  async function publishResult(senderId: string, result: SendResult): Promise<void> {
    metrics.sends.inc({ outcome: result.status === 'rejected' ? NackReason[result.nack.reason] : result.status });
    if (result.status === 'rejected') {
      await publisher.publish(inboxTopic(senderId), encodeInboxItem({ nack: result.nack }), { qos: 1 });
      return;
    }
    const { message } = result;
    await Promise.all([
      publisher.publish(roomTopic(message.roomId), encodeMessage(message), { qos: 1 }),
      publisher.publish(
        inboxTopic(senderId),
        encodeInboxItem({
          ack: { roomId: message.roomId, clientMsgId: message.clientMsgId, seq: message.seq, duplicate: result.status === 'duplicate' },
        }),
        { qos: 1 },
      ),
    ]);
  }

  /** Answers a send that never reached a batch. */
  async function answer(sender: Sender, result: SendResult): Promise<SendResult> {
    await publishResult(sender.userId, result);
    return result;
  }

  /** The reason a send is answered before any batch: rate, validity, the database being down, a full queue. */
  function refusalBeforeBatch(sender: Sender, send: Send): SendResult | undefined {
    const rate = rates.take(`${sender.userId}\u0000${sender.deviceId}`);
    if (!rate.allowed) return rejected(send, NackReason.NACK_REASON_RATE_LIMITED, 'sending too fast', 0, rate.retryAfterMs);
    const problem = sendProblem(send, options);
    if (problem !== undefined) return rejected(send, problem.reason, problem.detail);
    const wait = breaker.refusal();
    if (wait !== undefined) return unavailable(send, wait);
    if (queued >= options.sendQueueMaxMessages) return unavailable(send, options.dbProbeIntervalMs, 'overloaded: too many sends waiting');
    return undefined;
  }

  async function handleSend(sender: Sender, send: Send): Promise<SendResult> {
    if (!isValidId(send.clientMsgId)) {
      // Without a usable client id the sender could not match a Nack to its send.
      throw new RangeError('client_msg_id is not a valid id');
    }
    const refusal = refusalBeforeBatch(sender, send);
    if (refusal !== undefined) return answer(sender, refusal);
    queued += 1;
    try {
      return await batcher.submit({
        roomId: send.roomId,
        senderId: sender.userId,
        senderDevice: sender.deviceId,
        clientMsgId: send.clientMsgId,
        roomVersion: send.roomVersion,
        contentType: send.contentType,
        body: send.body,
      });
    } finally {
      queued -= 1;
    }
  }

  return {
    handleSend,
    async handlePayload(sender, payload) {
      let send: Send;
      try {
        send = decodeSend(payload);
      } catch (error) {
        metrics.malformedPayloads.inc({ topic_kind: 'send' });
        const ids = salvageSendIds(payload);
        if (ids === undefined || !isValidId(ids.clientMsgId)) {
          log.info({ userId: sender.userId, bytes: payload.byteLength, err: (error as Error).message }, 'unreadable send dropped');
          return undefined;
        }
        const badText = sendFieldWithInvalidUtf8(payload);
        const detail = badText === undefined ? 'payload is not a valid Send' : `${badText} is not valid UTF-8`;
        return answer(sender, rejected(ids, NackReason.NACK_REASON_MALFORMED, detail));
      }
      if (!isValidId(send.clientMsgId)) {
        metrics.malformedPayloads.inc({ topic_kind: 'send' });
        log.info({ userId: sender.userId }, 'send without a valid client_msg_id dropped');
        return undefined;
      }
      return handleSend(sender, send);
    },
    breaker: () => breaker,
    async drain() {
      await batcher.drain();
      await Promise.all(publishing);
    },
  };
}

type SendIds = { roomId: string; clientMsgId: string };

function rejected(ids: SendIds, reason: NackReason, detail: string, roomVersion = 0, retryAfterMs = 0): SendResult {
  return { status: 'rejected', nack: nack(ids, reason, detail, roomVersion, retryAfterMs) };
}

function unavailable(ids: SendIds, retryAfterMs: number, detail = 'the database is unreachable; nothing was stored'): SendResult {
  return rejected(ids, NackReason.NACK_REASON_UNAVAILABLE, detail, 0, retryAfterMs);
}

function nack(ids: SendIds, reason: NackReason, detail: string, roomVersion: number, retryAfterMs: number): Nack {
  return { roomId: ids.roomId, clientMsgId: ids.clientMsgId, reason, roomVersion, detail, retryAfterMs };
}
