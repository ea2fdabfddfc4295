/**
 * The durable path (docs/durable-path.md#steps) from a raw send payload to its outcome: decode and
 * validate, sequence in batches (one transaction each), then, only after commit, publish the
 * Message to the room and the Ack or Nack to the sender's inbox.
 */
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import {
  NackReason,
  decodeSend,
  encodeInboxItem,
  encodeMessage,
  inboxTopic,
  isValidId,
  roomTopic,
  salvageSendIds,
  type Nack,
  type Send,
} from '../schema/index.js';
import { appendSends, type Db, type PendingSend, type RejectReason, type StoredMessage } from '../store/index.js';
import { createBatcher } from './batcher.js';
import type { BrokerPort, Sender } from './broker-port.js';

export type SendResult = { status: 'stored' | 'duplicate'; message: StoredMessage } | { status: 'rejected'; nack: Nack };

export interface SendPipelineOptions {
  maxBodyBytes: number;
  batchMaxMessages: number;
  batchMaxWaitMs: number;
}

export interface SendPipeline {
  /** A send as it came off MQTT. Undefined when the payload was dropped (unreadable, no id to Nack). */
  handlePayload(sender: Sender, payload: Uint8Array): Promise<SendResult | undefined>;
  /** A send already decoded (REST). */
  handleSend(sender: Sender, send: Send): Promise<SendResult>;
  drain(): Promise<void>;
}

const MAX_CONTENT_TYPE_LENGTH = 128;

const NACK_FOR_REJECTION: Record<RejectReason, NackReason> = {
  ROOM_NOT_FOUND: NackReason.NACK_REASON_ROOM_NOT_FOUND,
  NOT_MEMBER: NackReason.NACK_REASON_NOT_MEMBER,
  STALE_ROOM_VERSION: NackReason.NACK_REASON_STALE_ROOM_VERSION,
};

export interface SendPipelineDeps {
  db: Db;
  port: BrokerPort;
  log: Logger;
  metrics: Metrics;
  now?: () => number;
  /** Called after a commit that queued messages for push, so the push worker starts at once instead of at its next poll. */
  onPushQueued?: () => void;
}

export function createSendPipeline(deps: SendPipelineDeps, options: SendPipelineOptions): SendPipeline {
  const { port, metrics } = deps;
  const log = deps.log.child({ module: 'send-pipeline' });
  const now = deps.now ?? Date.now;

  const batcher = createBatcher<PendingSend, SendResult>({
    maxItems: options.batchMaxMessages,
    maxWaitMs: options.batchMaxWaitMs,
    async run(sends) {
      const stopTimer = metrics.sendCommitSeconds.startTimer();
      const { outcomes, pushQueued } = await appendSends(deps.db, sends, now());
      stopTimer();
      if (pushQueued > 0) deps.onPushQueued?.();
      metrics.sendBatchSize.observe(sends.length);
      const results = outcomes.map((outcome, i): SendResult => {
        if (outcome.status !== 'rejected') return outcome;
        const send = sends[i]!;
        return {
          status: 'rejected',
          nack: nack(send, NACK_FOR_REJECTION[outcome.reason], outcome.reason.toLowerCase(), outcome.roomVersion),
        };
      });
      // Committed: tell the room and the senders. The publishes are issued here, in seq order,
      // before the next batch can commit; they finish while it does (fan-out and database
      // overlap). A lost publish is healed by the device's retry
      // (docs/durable-path.md#commit-then-publish).
      track(Promise.all(results.map((result, i) => publishResult(sends[i]!.senderId, result))));
      return results;
    },
  });

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
      await port.publish(inboxTopic(senderId), encodeInboxItem({ nack: result.nack }), { qos: 1 });
      return;
    }
    const { message } = result;
    await Promise.all([
      port.publish(roomTopic(message.roomId), encodeMessage(message), { qos: 1 }),
      port.publish(
        inboxTopic(senderId),
        encodeInboxItem({
          ack: { roomId: message.roomId, clientMsgId: message.clientMsgId, seq: message.seq, duplicate: result.status === 'duplicate' },
        }),
        { qos: 1 },
      ),
    ]);
  }

  async function reject(
    sender: Sender,
    ids: { roomId: string; clientMsgId: string },
    reason: NackReason,
    detail: string,
  ): Promise<SendResult> {
    const result: SendResult = { status: 'rejected', nack: nack(ids, reason, detail, 0) };
    await publishResult(sender.userId, result);
    return result;
  }

  function invalidity(send: Send): { reason: NackReason; detail: string } | undefined {
    if (!isValidId(send.roomId)) return { reason: NackReason.NACK_REASON_MALFORMED, detail: 'room_id is not a valid id' };
    if (send.body.byteLength > options.maxBodyBytes) {
      return { reason: NackReason.NACK_REASON_TOO_LARGE, detail: `body exceeds ${options.maxBodyBytes} bytes` };
    }
    if (send.contentType.length > MAX_CONTENT_TYPE_LENGTH)
      return { reason: NackReason.NACK_REASON_MALFORMED, detail: 'content_type too long' };
    return undefined;
  }

  async function handleSend(sender: Sender, send: Send): Promise<SendResult> {
    if (!isValidId(send.clientMsgId)) {
      // Without a usable client id the sender could not match a Nack to its send.
      throw new RangeError('client_msg_id is not a valid id');
    }
    const problem = invalidity(send);
    if (problem !== undefined) return reject(sender, send, problem.reason, problem.detail);
    return batcher.submit({
      roomId: send.roomId,
      senderId: sender.userId,
      senderDevice: sender.deviceId,
      clientMsgId: send.clientMsgId,
      roomVersion: send.roomVersion,
      contentType: send.contentType,
      body: send.body,
    });
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
        return reject(sender, ids, NackReason.NACK_REASON_MALFORMED, 'payload is not a valid Send');
      }
      if (!isValidId(send.clientMsgId)) {
        metrics.malformedPayloads.inc({ topic_kind: 'send' });
        log.info({ userId: sender.userId }, 'send without a valid client_msg_id dropped');
        return undefined;
      }
      return handleSend(sender, send);
    },
    async drain() {
      await batcher.drain();
      await Promise.all(publishing);
    },
  };
}

function nack(ids: { roomId: string; clientMsgId: string }, reason: NackReason, detail: string, roomVersion: number): Nack {
  return { roomId: ids.roomId, clientMsgId: ids.clientMsgId, reason, roomVersion, detail, retryAfterMs: 0 };
}
