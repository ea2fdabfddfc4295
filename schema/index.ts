/** The wire and storage contracts: protobuf codec, topic grammar, migrations. */
export * from './codec.js';
export * from './topics.js';
export { MIGRATIONS_DIR } from './migrations.js';
