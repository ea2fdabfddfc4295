/**
 * What a push tells the woken app (docs/push.md#payloads), read from the app-level data both
 * providers carry: APNs custom keys beside `aps`, FCM `data`. Only the facts the app acts on: which
 * room, up to which seq, the badge, and the dedup key that is the same on every retry of the same
 * push. The alert's preview is deliberately not read: the app shows only what it has fetched
 * itself.
 */

export type PushNotice =
  /** A message (a visible alert, or an end-to-end-encrypted room's data-only tickle) up to `seq`. */
  | { kind: 'message'; roomId: string; seq: number; dedupKey: string; badge: number | undefined }
  /** The room was read up to `readSeq` on another device: withdraw what was shown. */
  | { kind: 'retract'; roomId: string; readSeq: number; dedupKey: string; badge: number | undefined };

/** Undefined for a push that is not ours or makes no sense: the app drops it. */
export function parsePushNotice(data: Readonly<Record<string, unknown>>): PushNotice | undefined {
  const { type, roomId, dedupKey } = data;
  if (typeof roomId !== 'string' || roomId === '' || typeof dedupKey !== 'string' || dedupKey === '') return undefined;
  const badge = badgeOf(data);
  if (type === 'message') {
    const seq = seqOf(data['seq']);
    return seq === undefined || seq === 0 ? undefined : { kind: 'message', roomId, seq, dedupKey, badge };
  }
  if (type === 'retract') {
    const readSeq = seqOf(data['readSeq']);
    return readSeq === undefined ? undefined : { kind: 'retract', roomId, readSeq, dedupKey, badge };
  }
  return undefined;
}

/** Data values are strings on both providers (FCM allows nothing else). */
function seqOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/** A data-only push carries the badge in `data.badge`; an APNs alert in `aps.badge`. */
function badgeOf(data: Readonly<Record<string, unknown>>): number | undefined {
  const fromData = seqOf(data['badge']);
  if (fromData !== undefined) return fromData;
  const aps = data['aps'];
  const apsBadge = typeof aps === 'object' && aps !== null ? (aps as Record<string, unknown>)['badge'] : undefined;
  return typeof apsBadge === 'number' && Number.isSafeInteger(apsBadge) && apsBadge >= 0 ? apsBadge : undefined;
}
