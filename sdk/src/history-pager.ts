/**
 * Paging back through a room's history (`loadOlder`): each call returns the next older page,
 * ascending, from GET /v1/rooms/{id}/messages?before=&limit=, and remembers where it ended, so
 * repeated calls walk back to the room's first message. The first call starts below the oldest
 * message the client has delivered in the room; a call with an explicit `before` (e.g. the oldest
 * message in the app's own storage) starts there, and the calls after it continue below it. It says when nothing older can come: the room's first message was reached,
 * or the platform's retention floor (`historyFloor`; a 410 when the page would start below it).
 *
 * Older pages go to the caller only: the 'message' events stay "each seq once, in order" from
 * where the client started. Calls for one room run one after another, so two overlapping calls
 * return consecutive pages rather than the same one twice.
 */
import type { Message } from '@mqtt-chat/protocol';
import { HISTORY_PAGE_LIMIT, type RestClient } from './rest.js';

export interface OlderPage {
  roomId: string;
  /** Ascending; all older than what the client had. */
  messages: Message[];
  /** Nothing older can be loaded: the first message of the room, or the retention floor, was reached. */
  reachedStart: boolean;
  /** Messages up to this seq were removed by retention (0: none). */
  historyFloor: number;
}

export interface HistoryPagerDeps {
  rest: Pick<RestClient, 'messagesBefore'>;
  /** The lowest seq the client delivers in the room (MAX_SAFE_INTEGER for a room it does not follow), once that is settled. */
  deliveredFrom(roomId: string): Promise<number>;
}

export interface HistoryPager {
  loadOlder(roomId: string, limit: number, before?: number): Promise<OlderPage>;
  /** The room's history was reset (a new epoch): paging starts over. */
  reset(roomId: string): void;
}

export function createHistoryPager(deps: HistoryPagerDeps): HistoryPager {
  /** Per room: where the last page began (the next one ends below it). */
  const cursors = new Map<string, number>();
  /** Per room: the call in progress, which the next one waits for. */
  const queues = new Map<string, Promise<unknown>>();

  async function page(roomId: string, limit: number, explicitBefore: number | undefined): Promise<OlderPage> {
    const before = explicitBefore ?? cursors.get(roomId) ?? (await deps.deliveredFrom(roomId));
    if (before <= 1) return { roomId, messages: [], reachedStart: true, historyFloor: 0 };
    const answer = await deps.rest.messagesBefore(roomId, before, limit);
    if (answer.kind === 'truncated') {
      cursors.set(roomId, answer.historyFloor + 1);
      return { roomId, messages: [], reachedStart: true, historyFloor: answer.historyFloor };
    }
    const oldest = answer.messages[0]?.seq ?? before;
    cursors.set(roomId, oldest);
    // A short page ran out of messages; a full one may end exactly at the floor (or at seq 1).
    const reachedStart = answer.messages.length < limit || oldest <= answer.historyFloor + 1;
    return { roomId, messages: answer.messages, reachedStart, historyFloor: answer.historyFloor };
  }

  return {
    loadOlder(roomId, limit, before) {
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > HISTORY_PAGE_LIMIT) {
        return Promise.reject(new RangeError(`loadOlder needs 1 <= n <= ${HISTORY_PAGE_LIMIT}, got ${limit}`));
      }
      const previous = queues.get(roomId) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => page(roomId, limit, before));
      queues.set(roomId, next);
      void next.finally(() => queues.get(roomId) === next && queues.delete(roomId)).catch(() => undefined);
      return next;
    },
    reset(roomId) {
      cursors.delete(roomId);
    },
  };
}
