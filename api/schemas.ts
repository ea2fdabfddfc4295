/** JSON schemas of the REST contract (docs/contract.md#rest); they validate requests and feed /docs. */
import { Type, type Static } from 'typebox';
import { ID_PATTERN_SOURCE } from '../schema/index.js';

export const Id = Type.String({ pattern: ID_PATTERN_SOURCE, description: 'compact id: [A-Za-z0-9_-]{1,64}' });

/**
 * Every integer a client sends has an upper bound, so no value reaches the database that its
 * column cannot hold (a 500 instead of a 400): seqs are bigint but never beyond 2^53 - 1 (they
 * travel as JS numbers); versions are uint32 on the wire and integer in the database.
 */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;
export const MAX_VERSION = 2_147_483_647;

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable ERR_* code, see docs/errors.md' }),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'ErrorBody' },
);

export const RoomIdParams = Type.Object({ id: Id });
export const MemberParams = Type.Object({ id: Id, userId: Id });

export const CreateUserBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export const CreateTokenBody = Type.Object({ userId: Id, deviceId: Id }, { additionalProperties: false });

/** The body of POST /v1/rooms, naming at most `maxMembers` members (ROOM_CREATE_MAX_MEMBERS). */
export const createRoomBody = (maxMembers: number) =>
  Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 200 }),
      kind: Type.Enum(['group', 'direct']),
      description: Type.Optional(Type.String({ maxLength: 2000 })),
      members: Type.Array(Id, { maxItems: maxMembers, description: `user ids, at most ${maxMembers}; a user caller is added itself` }),
      encrypted: Type.Optional(Type.Boolean({ default: false, description: 'end-to-end encrypted: pushes carry no sender or body' })),
    },
    { additionalProperties: false },
  );

export const PatchRoomBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), description: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false, minProperties: 1 },
);

export const AddMemberBody = Type.Object({ userId: Id }, { additionalProperties: false });

export const RoomView = Type.Object({
  id: Id,
  kind: Type.Enum(['group', 'direct']),
  name: Type.String(),
  description: Type.String(),
  epoch: Type.Integer(),
  lastSeq: Type.Integer(),
  historyFloor: Type.Integer(),
  memberVersion: Type.Integer(),
  metaVersion: Type.Integer(),
  encrypted: Type.Boolean({ description: 'end-to-end encrypted: the server never reads bodies; pushes are data-only' }),
  members: Type.Array(Id),
  readSeq: Type.Optional(Type.Integer({ description: 'user callers: the highest seq they have read (read receipts)' })),
  unread: Type.Optional(Type.Integer({ description: 'user callers: lastSeq - readSeq' })),
});

/** GET /v1/rooms pages: `limit` rooms (default 100, at most 500) after the room id `after`. */
export const ROOMS_PAGE_DEFAULT_LIMIT = 100;
export const ROOMS_PAGE_MAX_LIMIT = 500;

export const RoomsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: ROOMS_PAGE_MAX_LIMIT, default: ROOMS_PAGE_DEFAULT_LIMIT }),
    after: Type.Optional(Type.String({ pattern: ID_PATTERN_SOURCE, description: 'the nextAfter of the previous page' })),
  },
  { additionalProperties: false },
);

export const HistoryQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SEQ })),
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SEQ })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

export const MessageView = Type.Object({
  seq: Type.Integer(),
  senderId: Id,
  senderDevice: Type.String(),
  clientMsgId: Type.String(),
  sentAt: Type.String({ format: 'date-time' }),
  sentAtMs: Type.Integer(),
  contentType: Type.String(),
  body: Type.String({ description: 'base64' }),
});

export const HistoryView = Type.Object({
  messages: Type.Array(MessageView),
  lastSeq: Type.Integer(),
  epoch: Type.Integer(),
  historyFloor: Type.Integer(),
});

export const SendBody = Type.Object(
  {
    clientMsgId: Id,
    roomVersion: Type.Integer({ minimum: 0, maximum: MAX_VERSION }),
    body: Type.String({ contentEncoding: 'base64', pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
    contentType: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);

export const DeviceParams = Type.Object({ deviceId: Id });

export const PushRegistrationBody = Type.Object(
  {
    // Checked by the handler, which answers ERR_PUSH_PLATFORM_INVALID / ERR_PUSH_TOKEN_INVALID.
    platform: Type.String({ maxLength: 16, description: 'apns | fcm' }),
    token: Type.String({ maxLength: 8192, description: 'APNs: the hex device token; FCM: the registration token' }),
  },
  { additionalProperties: false },
);

export const PushRegistrationView = Type.Object({
  deviceId: Id,
  platform: Type.Enum(['apns', 'fcm']),
  token: Type.String(),
  registeredAt: Type.String({ format: 'date-time' }),
});

export const AckView = Type.Object({ roomId: Id, clientMsgId: Type.String(), seq: Type.Integer(), duplicate: Type.Boolean() });

export type RoomViewT = Static<typeof RoomView>;
export type MessageViewT = Static<typeof MessageView>;
