/**
 * The wire contract the platform and its clients share: the protobuf messages of chat.proto
 * (typed encode/decode, plain objects out), the topic grammar and the canonical key-digest
 * encoding of end-to-end keys, and the envelope of encrypted message bodies. Imports nothing but
 * protobufjs, so the server (through schema/) and the SDK depend on this one copy.
 */
export * from './codec.js';
export * from './topics.js';
export * from './key-digest.js';
export * from './e2ee-envelope.js';
