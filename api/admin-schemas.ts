/** JSON shapes of the admin control plane (`/v1/admin/...`, the admin credential only). */
import { Type } from 'typebox';
import { ID_PATTERN_SOURCE } from '../schema/index.js';
import { Id, RoomView, ROOMS_PAGE_DEFAULT_LIMIT, ROOMS_PAGE_MAX_LIMIT } from './schemas.js';

const Limit = Type.Integer({ minimum: 1, maximum: ROOMS_PAGE_MAX_LIMIT, default: ROOMS_PAGE_DEFAULT_LIMIT });
const After = Type.Optional(Type.String({ pattern: ID_PATTERN_SOURCE, description: 'the nextAfter of the previous page' }));
const Prefix = Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'names starting with this, ignoring case' }));
const NextAfter = Type.Union([Id, Type.Null()], { description: 'after= for the next page; null on the last page' });
const Total = Type.Integer({ description: 'how many match the filters, over all pages' });
const Instant = Type.String({ format: 'date-time' });

export const UserIdParams = Type.Object({ userId: Id });

export const AdminUsersQuery = Type.Object(
  {
    limit: Limit,
    after: After,
    prefix: Prefix,
    deleted: Type.Enum(['exclude', 'include', 'only'], {
      default: 'exclude',
      description: 'deleted users (tombstones): left out by default',
    }),
  },
  { additionalProperties: false },
);

export const AdminUserView = Type.Object({
  id: Id,
  name: Type.String({ description: "'' once deleted" }),
  createdAt: Instant,
  deletedAt: Type.Union([Instant, Type.Null()]),
  rooms: Type.Integer({ description: 'rooms the user is a member of' }),
});

export const AdminUsersView = Type.Object({ users: Type.Array(AdminUserView), nextAfter: NextAfter, total: Total });

export const UserDeletionView = Type.Object({
  id: Id,
  deletedAt: Instant,
  deletedNow: Type.Boolean({ description: 'false when an earlier call had deleted the user (this one finished what it left)' }),
  roomsLeft: Type.Integer({ description: 'rooms the user was removed from by this call' }),
  pushTokensDeleted: Type.Integer(),
  keyDevicesDeleted: Type.Integer({ description: 'devices whose end-to-end keys were deleted' }),
});

export const AdminRoomsQuery = Type.Object(
  {
    limit: Limit,
    after: After,
    prefix: Prefix,
    kind: Type.Optional(Type.Enum(['group', 'direct'])),
    member: Type.Optional(Type.String({ pattern: ID_PATTERN_SOURCE, description: 'rooms this user is a member of' })),
  },
  { additionalProperties: false },
);

/** A room as its members see it, without the member list (memberCount instead) and the caller's read mark. */
export const AdminRoomView = Type.Object({
  ...Object.fromEntries(Object.entries(RoomView.properties).filter(([key]) => !['members', 'readSeq', 'unread'].includes(key))),
  memberCount: Type.Integer(),
});

export const AdminRoomsView = Type.Object({ rooms: Type.Array(AdminRoomView), nextAfter: NextAfter, total: Total });

export const RevokeBody = Type.Object(
  {
    userId: Id,
    deviceId: Type.Optional(
      Type.String({ pattern: ID_PATTERN_SOURCE, description: "the device; without it, every one of the user's devices" }),
    ),
  },
  { additionalProperties: false },
);

export const RevocationView = Type.Object({
  userId: Id,
  deviceId: Type.Union([Id, Type.Null()], { description: 'null: every device of the user' }),
  notBefore: Type.String({ format: 'date-time', description: 'tokens issued before this are refused; a token issued later works' }),
});

export const StatsView = Type.Object({
  users: Type.Integer({ description: 'users not deleted' }),
  deletedUsers: Type.Integer(),
  rooms: Type.Integer(),
  messages: Type.Integer({ description: 'messages ever sequenced (the sum of the rooms last seqs)' }),
  pushOutbox: Type.Integer({ description: 'messages the push worker still has to consider' }),
  pushPending: Type.Integer({ description: 'pushes recorded and not yet sent (waiting their turn, or retrying)' }),
  tokenDenials: Type.Integer({ description: 'revoked devices and deleted users on the token deny list' }),
});
