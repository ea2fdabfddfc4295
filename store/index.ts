/** Data access shared by the bridge and the API: one module per table group, all on the `Db` port. */
export type { Db, Queryable } from './db.js';
export { openDb, type DbLocation } from './open-db.js';
export { migrate, readMigrations } from './migrate.js';
export { STORE_ERRORS, type StoreErrorCode } from './errors.js';
export { createUser, getUser, missingUserIds, type User } from './users.js';
export {
  addMember,
  createRoom,
  getMembership,
  getRoom,
  isMember,
  listRoomsOfUser,
  removeMember,
  sharesRoom,
  updateRoomMetadata,
  type MembershipChange,
  type Room,
  type RoomKind,
  type RoomWithMembers,
} from './rooms.js';
export { appendSends, insertMessages } from './append-sends.js';
export { getHistory, truncateHistory, HISTORY_MAX_LIMIT, type HistoryPage, type HistoryQuery } from './history.js';
export { planBatch, type PendingSend, type RejectReason, type SendOutcome, type StoredMessage } from './sequencing.js';
export { getReadSeq, recordReadMarks, type ReadMark } from './receipts.js';
export { createMemoryPresenceStore, type PresenceStore, type UserPresence } from './presence-store.js';
export { createRedisPresenceStore } from './redis-presence-store.js';
