/**
 * Coalesced writers for the two per-member marks the broker reports: read receipts
 * (docs/signals.md#read-receipts) and delivery acknowledgements (PUBACKs of room Messages, the push
 * worker's evidence, docs/signals.md#delivery-marks).
 */
import type { Logger } from '../lib/log.js';
import { recordDeliveryMarks, recordReadMarks, type DeliveryMark, type Db, type ReadMark } from '../store/index.js';
import { createMarkWriter, type MarkWriter } from './mark-writer.js';

export type ReceiptWriter = MarkWriter<ReadMark>;
export type DeliveryWriter = MarkWriter<DeliveryMark>;

export interface MarkWriterOptions {
  flushIntervalMs: number;
  maxPending: number;
}

/** Read receipts; `onWritten` runs after each write (a read may have queued push retractions). */
export function createReceiptWriter(deps: { db: Db; log: Logger; onWritten?: () => void }, options: MarkWriterOptions): ReceiptWriter {
  return createMarkWriter(
    {
      write: (marks) => recordReadMarks(deps.db, marks),
      log: deps.log,
      ...(deps.onWritten === undefined ? {} : { onWritten: deps.onWritten }),
    },
    { ...options, seqOf: (mark) => mark.readSeq, what: 'read receipts' },
  );
}

export function createDeliveryWriter(deps: { db: Db; log: Logger }, options: MarkWriterOptions): DeliveryWriter {
  return createMarkWriter(
    { write: (marks) => recordDeliveryMarks(deps.db, marks), log: deps.log },
    { ...options, seqOf: (mark) => mark.deliveredSeq, what: 'delivery marks' },
  );
}
