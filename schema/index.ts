/** The wire contracts: protobuf codec, topic grammar and the key-digest encoding (migrations are read by store/ from schema/migrations.ts). */
export * from './codec.js';
export * from './topics.js';
export * from './key-digest.js';
