/**
 * The REST calls the SDK makes (docs/contract.md#rest), over the global `fetch`: the caller's
 * rooms, one room, history pages for catch-up and gap-fill, and the device's push token. Answers
 * are checked before use (they are input too), and history bodies decoded from base64 into the same
 * `Message` shape the MQTT path delivers. A 410 ERR_HISTORY_TRUNCATED is an expected answer,
 * returned as a value.
 */
import type { Message } from '../../schema/index.js';
import { SdkError } from './errors.js';

/** The page size of catch-up and gap-fill: the API's maximum. */
export const HISTORY_PAGE_LIMIT = 500;
export const DEFAULT_REST_TIMEOUT_MS = 10_000;

export interface RoomInfo {
  id: string;
  lastSeq: number;
  memberVersion: number;
  epoch: number;
  historyFloor: number;
}

export type HistoryAnswer =
  | { kind: 'page'; messages: Message[]; lastSeq: number; epoch: number }
  | { kind: 'truncated'; historyFloor: number; epoch: number | undefined };

export interface RestClient {
  listRooms(): Promise<RoomInfo[]>;
  getRoom(roomId: string): Promise<RoomInfo>;
  /** Messages with seq > `afterSeq`, ascending, at most `limit`. */
  messagesAfter(roomId: string, afterSeq: number, limit?: number): Promise<HistoryAnswer>;
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

export function createRestClient(deps: RestClientDeps, options: { apiUrl: string; timeoutMs?: number }): RestClient {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_REST_TIMEOUT_MS;

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

  return {
    async listRooms() {
      const { status, body } = await get('/v1/rooms');
      const rooms = field(body, 'rooms');
      if (status !== 200 || !Array.isArray(rooms)) return fail('/v1/rooms', status, body);
      return rooms.map((room) => roomInfo(room) ?? fail('/v1/rooms', status, body));
    },
    async getRoom(roomId) {
      const path = `/v1/rooms/${encodeURIComponent(roomId)}`;
      const { status, body } = await get(path);
      return (status === 200 ? roomInfo(body) : undefined) ?? fail(path, status, body);
    },
    async messagesAfter(roomId, afterSeq, limit = HISTORY_PAGE_LIMIT) {
      const path = `/v1/rooms/${encodeURIComponent(roomId)}/messages?after=${afterSeq}&limit=${limit}`;
      const { status, body } = await get(path);
      const details = field(field(body, 'error'), 'details');
      const historyFloor = field(details, 'historyFloor');
      if (status === 410 && isSeq(historyFloor)) {
        const epoch = field(details, 'epoch');
        return { kind: 'truncated', historyFloor, epoch: isSeq(epoch) ? epoch : undefined };
      }
      const page = status === 200 ? historyPage(roomId, body) : undefined;
      return page ?? fail(path, status, body);
    },
    async registerPush(deviceId, registration) {
      const path = `/v1/devices/${encodeURIComponent(deviceId)}/push`;
      const { status, body } = await call('PUT', path, registration);
      if (status !== 200) fail(path, status, body, 'PUT');
    },
  };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

const isSeq = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isText = (value: unknown): value is string => typeof value === 'string';

function roomInfo(value: unknown): RoomInfo | undefined {
  const [id, lastSeq, memberVersion, epoch, historyFloor] = ['id', 'lastSeq', 'memberVersion', 'epoch', 'historyFloor'].map((name) =>
    field(value, name),
  );
  if (!isText(id) || !isSeq(lastSeq) || !isSeq(memberVersion) || !isSeq(epoch) || !isSeq(historyFloor)) return undefined;
  return { id, lastSeq, memberVersion, epoch, historyFloor };
}

function historyPage(roomId: string, value: unknown): Extract<HistoryAnswer, { kind: 'page' }> | undefined {
  const [rawMessages, lastSeq, epoch] = ['messages', 'lastSeq', 'epoch'].map((name) => field(value, name));
  if (!Array.isArray(rawMessages) || !isSeq(lastSeq) || !isSeq(epoch)) return undefined;
  const messages: Message[] = [];
  for (const raw of rawMessages) {
    const message = historyMessage(roomId, epoch, raw);
    if (message === undefined) return undefined;
    messages.push(message);
  }
  return { kind: 'page', messages, lastSeq, epoch };
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

/** `atob` rather than Buffer: the SDK runs where a phone's JS engine runs. */
function fromBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
