/**
 * The wire contract the platform and its clients share: the protobuf messages of chat.proto
 * (typed encode/decode, plain objects out) and the topic grammar. Imports nothing but
 * protobufjs, so the server (through schema/) and the SDK depend on this one copy.
 */
export * from './codec.js';
export * from './topics.js';
