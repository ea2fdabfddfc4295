/** JSON schemas of the REST contract (docs/contract.md#rest); they validate requests and feed /docs. */
import { Type, type Static } from 'typebox';
import { ID_PATTERN_SOURCE } from '../schema/topics.js';

export const Id = Type.String({ pattern: ID_PATTERN_SOURCE, description: 'compact id: [A-Za-z0-9_-]{1,64}' });

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

export const CreateRoomBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.Enum(['group', 'direct']),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    members: Type.Array(Id, { maxItems: 10_000, description: 'user ids; a user caller is added itself' }),
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

export const HistoryQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0 })),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
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
    roomVersion: Type.Integer({ minimum: 0 }),
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
