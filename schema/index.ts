/**
 * The wire contracts as the server sees them: protobuf codec and topic grammar live in the
 * `@mqtt-chat/protocol` workspace package (shared with the SDK); migrations are read by store/
 * from schema/migrations.ts.
 */
export * from '@mqtt-chat/protocol';
export * from './token-revocations.js';
