/**
 * The REST calls the SDK makes, over the global `fetch`: the caller's rooms (a page at a time),
 * one room, history pages for catch-up and gap-fill, and the device's push token. Answers are checked before use (they are
 * input too), and history bodies decoded from base64 into the same `Message` shape the MQTT
 * path delivers. A 410 ERR_HISTORY_TRUNCATED is an expected answer, returned as a value.
 */
import type { Message } from '@mqtt-chat/protocol';
import { fromBase64 } from './base64.js';
import { SdkError } from './errors.js';

/** The page size of catch-up and gap-fill: the API's maximum. */
export const HISTORY_PAGE_LIMIT = 500;
/** The most users GET /v1/presence answers for in one call. */
export const PRESENCE_USERS_PER_CALL = 200;
/** The page size of GET /v1/rooms: the API's maximum. */
export const ROOMS_PAGE_LIMIT = 500;
export const DEFAULT_REST_TIMEOUT_MS = 10_000;

export interface RoomInfo {
  id: string;
  name: string;
  kind: 'group' | 'direct';
  lastSeq: number;
  memberVersion: number;
  epoch: number;
  historyFloor: number;
  /** The caller's read mark; absent from a platform that does not say. */
  readSeq: number | undefined;
  /** Only GET /v1/rooms/{id} lists them. */
  members: string[] | undefined;
}

export type HistoryAnswer =
  | { kind: 'page'; messages: Message[]; lastSeq: number; epoch: number; historyFloor: number }
  | { kind: 'truncated'; historyFloor: number; epoch: number | undefined };

export interface UserPresence {
  userId: string;
  online: boolean;
  /** When the user's last device went offline (epoch ms); 0 when never seen. */
  lastSeenMs: number;
}

export interface RoomsPage {
  rooms: RoomInfo[];
  /** Where the next page starts; undefined on the last page. */
  nextAfter: string | undefined;
}

export interface RestClient {
  /** One page of the caller's rooms, after the room id `after` (the previous page's `nextAfter`). */
  listRoomsPage(after?: string): Promise<RoomsPage>;
  /** Every room of the caller, following the pages. */
  listRooms(): Promise<RoomInfo[]>;
  getRoom(roomId: string): Promise<RoomInfo>;
  /** Messages with seq > `afterSeq`, ascending, at most `limit`. */
  messagesAfter(roomId: string, afterSeq: number, limit?: number): Promise<HistoryAnswer>;
  /** The newest `limit` messages with seq < `beforeSeq`, ascending. */
  messagesBefore(roomId: string, beforeSeq: number, limit: number): Promise<HistoryAnswer>;
  /** GET /v1/presence, in calls of at most PRESENCE_USERS_PER_CALL users; users the caller shares no room with are left out. */
  presence(userIds: readonly string[]): Promise<UserPresence[]>;
  /** PUT /v1/devices/{deviceId}/push: where the platform sends this device's pushes while it is offline. */
  registerPush(deviceId: string, registration: PushRegistration): Promise<void>;
}

export interface PushRegistration {
  platform: 'apns' | 'fcm';
  /** The APNs device token (hex) or the FCM registration token the phone's OS handed the app. */
  token: string;
}

export interface RestClientDeps {
  getToken(): Promise<string>;
}

export interface RestClientOptions {
  apiUrl: string;
  timeoutMs?: number;
  /** Rooms per GET /v1/rooms page (default ROOMS_PAGE_LIMIT). */
  roomsPageLimit?: number;
}

export function createRestClient(deps: RestClientDeps, options: RestClientOptions): RestClient {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_REST_TIMEOUT_MS;
  const roomsPageLimit = options.roomsPageLimit ?? ROOMS_PAGE_LIMIT;

  async function call(method: 'GET' | 'PUT', path: string, json?: unknown): Promise<{ status: number; body: unknown }> {
    const token = await deps.getToken();
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new SdkError('ERR_SDK_REST', `${method} ${path}: no answer`, { cause, status: 0 });
    }
    const body: unknown = await response.json().catch(() => undefined);
    return { status: response.status, body };
  }
  const get = (path: string) => call('GET', path);

  function fail(path: string, status: number, body: unknown, method = 'GET'): never {
    const apiCode = field(field(body, 'error'), 'code');
    throw new SdkError('ERR_SDK_REST', `${method} ${path}: ${status}`, {
      status,
      ...(typeof apiCode === 'string' ? { apiCode } : {}),
    });
  }

  async function history(roomId: string, query: string): Promise<HistoryAnswer> {
    const path = `/v1/rooms/${encodeURIComponent(roomId)}/messages?${query}`;
    const { status, body } = await get(path);
    const details = field(field(body, 'error'), 'details');
    const historyFloor = field(details, 'historyFloor');
    if (status === 410 && isSeq(historyFloor)) {
      const epoch = field(details, 'epoch');
      return { kind: 'truncated', historyFloor, epoch: isSeq(epoch) ? epoch : undefined };
    }
    const page = status === 200 ? historyPage(roomId, body) : undefined;
    return page ?? fail(path, status, body);
  }

  const client: RestClient = {
    async listRoomsPage(after) {
      const path = `/v1/rooms?limit=${roomsPageLimit}${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`;
      const { status, body } = await get(path);
      const [rooms, nextAfter] = [field(body, 'rooms'), field(body, 'nextAfter')];
      // A server without pages answers no nextAfter at all: that is the last (only) page.
      const isCursor = nextAfter === undefined || nextAfter === null || (isText(nextAfter) && nextAfter !== '');
      if (status !== 200 || !Array.isArray(rooms) || !isCursor) return fail(path, status, body);
      return {
        rooms: rooms.map((room) => roomInfo(room) ?? fail(path, status, body)),
        nextAfter: isText(nextAfter) ? nextAfter : undefined,
      };
    },
    async listRooms() {
      const all: RoomInfo[] = [];
      for await (const page of roomPages(client)) all.push(...page);
      return all;
    },
    async getRoom(roomId) {
      const path = `/v1/rooms/${encodeURIComponent(roomId)}`;
      const { status, body } = await get(path);
      return (status === 200 ? roomInfo(body) : undefined) ?? fail(path, status, body);
    },
    messagesAfter: (roomId, afterSeq, limit = HISTORY_PAGE_LIMIT) => history(roomId, `after=${afterSeq}&limit=${limit}`),
    messagesBefore: (roomId, beforeSeq, limit) => history(roomId, `before=${beforeSeq}&limit=${limit}`),
    async presence(userIds) {
      const answers: UserPresence[] = [];
      for (let from = 0; from < userIds.length; from += PRESENCE_USERS_PER_CALL) {
        const ids = userIds.slice(from, from + PRESENCE_USERS_PER_CALL);
        const path = `/v1/presence?userIds=${ids.map(encodeURIComponent).join(',')}`;
        const { status, body } = await get(path);
        const listed = field(body, 'presence');
        if (status !== 200 || !Array.isArray(listed)) return fail(path, status, body);
        for (const entry of listed) answers.push(userPresence(entry) ?? fail(path, status, body));
      }
      return answers;
    },
    async registerPush(deviceId, registration) {
      const path = `/v1/devices/${encodeURIComponent(deviceId)}/push`;
      const { status, body } = await call('PUT', path, registration);
      if (status !== 200) fail(path, status, body, 'PUT');
    },
  };
  return client;
}

/**
 * The caller's rooms, a page at a time, following `nextAfter` to the last page. A cursor that
 * comes back a second time would loop forever: that answer is refused instead.
 */
export async function* roomPages(rest: Pick<RestClient, 'listRoomsPage'>): AsyncGenerator<RoomInfo[]> {
  const seen = new Set<string>();
  let after: string | undefined;
  do {
    const page = await rest.listRoomsPage(after);
    yield page.rooms;
    after = page.nextAfter;
    if (after !== undefined && seen.has(after))
      throw new SdkError('ERR_SDK_REST', `GET /v1/rooms: the page after ${after} came twice`, { status: 200 });
    if (after !== undefined) seen.add(after);
  } while (after !== undefined);
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

const isSeq = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isText = (value: unknown): value is string => typeof value === 'string';

function roomInfo(value: unknown): RoomInfo | undefined {
  const [id, name, kind, lastSeq, memberVersion, epoch, historyFloor, readSeq, members] = [
    'id',
    'name',
    'kind',
    'lastSeq',
    'memberVersion',
    'epoch',
    'historyFloor',
    'readSeq',
    'members',
  ].map((key) => field(value, key));
  const isValid =
    isText(id) &&
    isText(name) &&
    (kind === 'group' || kind === 'direct') &&
    isSeq(lastSeq) &&
    isSeq(memberVersion) &&
    isSeq(epoch) &&
    isSeq(historyFloor) &&
    (readSeq === undefined || isSeq(readSeq)) &&
    (members === undefined || (Array.isArray(members) && members.every(isText)));
  if (!isValid) return undefined;
  return { id, name, kind, lastSeq, memberVersion, epoch, historyFloor, readSeq, members };
}

function userPresence(value: unknown): UserPresence | undefined {
  const [userId, online, lastSeenMs] = ['userId', 'online', 'lastSeenMs'].map((key) => field(value, key));
  if (!isText(userId) || typeof online !== 'boolean' || !isSeq(lastSeenMs)) return undefined;
  return { userId, online, lastSeenMs };
}

function historyPage(roomId: string, value: unknown): Extract<HistoryAnswer, { kind: 'page' }> | undefined {
  const [rawMessages, lastSeq, epoch, historyFloor] = ['messages', 'lastSeq', 'epoch', 'historyFloor'].map((name) => field(value, name));
  if (!Array.isArray(rawMessages) || !isSeq(lastSeq) || !isSeq(epoch)) return undefined;
  const messages: Message[] = [];
  for (const raw of rawMessages) {
    const message = historyMessage(roomId, epoch, raw);
    if (message === undefined) return undefined;
    messages.push(message);
  }
  return { kind: 'page', messages, lastSeq, epoch, historyFloor: isSeq(historyFloor) ? historyFloor : 0 };
}

function historyMessage(roomId: string, epoch: number, value: unknown): Message | undefined {
  const [seq, senderId, senderDevice, clientMsgId, sentAtMs, contentType, body] = [
    'seq',
    'senderId',
    'senderDevice',
    'clientMsgId',
    'sentAtMs',
    'contentType',
    'body',
  ].map((name) => field(value, name));
  const isValid =
    isSeq(seq) &&
    seq > 0 &&
    isText(senderId) &&
    isText(senderDevice) &&
    isText(clientMsgId) &&
    isSeq(sentAtMs) &&
    isText(contentType) &&
    isText(body);
  const bytes = isValid ? fromBase64(body) : undefined;
  if (!isValid || bytes === undefined) return undefined;
  return { roomId, seq, epoch, senderId, senderDevice, clientMsgId, sentAtMs, contentType, body: bytes };
}
