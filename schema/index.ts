/** The wire contracts: protobuf codec and topic grammar (migrations are read by store/ from schema/migrations.ts). */
export * from './codec.js';
export * from './topics.js';
