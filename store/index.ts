/** Data access shared by the bridge and the API: one module per table group, all on the `Db` port. */
export type { Db, Queryable } from './db.js';
export { openDb, type DbLocation } from './open-db.js';
export { openPostgresDb, DEFAULT_CONNECT_TIMEOUT_MS, type PostgresOptions } from './postgres-db.js';
export { migrate, readMigrations } from './migrate.js';
export { STORE_ERRORS, type StoreErrorCode } from './errors.js';
export {
  DB_ERRORS,
  UNAVAILABLE_RETRY_AFTER_MS,
  classifyDbError,
  databaseUnavailable,
  isConnectionFailure,
  isDbError,
  translateDbError,
  withTypedErrors,
  type DbErrorCode,
} from './db-errors.js';
export { createUser, ensureUser, getUser, missingUserIds, type User } from './users.js';
export {
  deleteUser,
  getUserRecord,
  listUsers,
  type DeletedFilter,
  type UserDeletion,
  type UserPage,
  type UserQuery,
  type UserRecord,
} from './admin-users.js';
export { listRooms, platformCounts, type PlatformCounts, type RoomQuery, type RoomRecord, type RoomRecordPage } from './admin-rooms.js';
export { denyTokens, readTokenDenials, tokensNotBeforeMs, type DenialChanges, type TokenDenial } from './token-denials.js';
export {
  addMember,
  createRoom,
  getMembership,
  getRoom,
  isMember,
  encryptedRoomsOfUser,
  listRoomsOfUser,
  removeMember,
  sharedRoomIds,
  sharesRoom,
  updateRoomMetadata,
  type MembershipChange,
  type Room,
  type RoomPage,
  type RoomKind,
  type RoomWithMembers,
} from './rooms.js';
export { appendSends, insertMessages, type AppendResult } from './append-sends.js';
export { getHistory, truncateHistory, HISTORY_MAX_LIMIT, type HistoryPage, type HistoryQuery } from './history.js';
export { planBatch, type PendingSend, type RejectReason, type SendOutcome, type SendResult } from './sequencing.js';
export { getReadSeq, raiseReadMarks, readSeqsOfUser, recordReadMarks, type ReadMark } from './receipts.js';
export { getDeliveredSeq, recordDeliveryMarks, type DeliveryMark } from './delivery-marks.js';
export { deletePushToken, getPushToken, registerPushToken, type PushPlatform, type PushToken } from './push-tokens.js';
export {
  claimDueOutbox,
  countPushBacklog,
  earliestOutboxDueAtMs,
  enqueueMessagePushes,
  outboxSize,
  outboxTargets,
  removeFromOutbox,
  rescheduleOutbox,
  type OutboxItem,
  type OutboxKey,
  type PushTarget,
} from './push-outbox.js';
export {
  claimDueDeliveries,
  deliveryClaimOf,
  expandRetractions,
  listDeliveries,
  settleDeliveries,
  sweepDeliveries,
  type ClaimedDelivery,
  type DeliveryContext,
  type DeliveryKind,
  type DeliveryRow,
  type DeliveryStatus,
  type DeliveryClaim,
  type Settlement,
} from './push-deliveries.js';
export { countOneTimePreKeys, listDeviceIdentities, readDeviceKeys } from './device-key-reads.js';
export {
  addOneTimePreKeys,
  deleteDeviceKeys,
  ONE_TIME_PREKEYS_MAX_STORED,
  replaceDeviceKeys,
  rotateSignedPreKeys,
  SIGNAL_DEVICE_ID_MAX,
  type DeviceIdentity,
  type DeviceKeyUpload,
  type DeviceRef,
  type IdentityCheck,
  type OneTimePreKey,
  type PreKeyCounts,
  type SignedPreKey,
  type StoredDeviceKeys,
  type UploadOutcome,
} from './device-keys.js';
export { claimPreKeyBundles, type ClaimedBundle, type ClaimQuery } from './prekey-bundles.js';
export { createMemoryPresenceStore, type PresenceReader, type PresenceStore, type UserPresence } from './presence-store.js';
export { createRedisPresenceStore } from './redis-presence-store.js';
export { PGLITE_THREAD_NAME } from './pglite-protocol.js';
