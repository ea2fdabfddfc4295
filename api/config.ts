import type { Config } from '../lib/config.js';
import { parseCorsOrigins } from './cors.js';
import type { ApiDeps } from './deps.js';

/** The API's share of the configuration, as `buildApi` takes it. */
export function apiConfig(config: Config): Pick<ApiDeps, 'events' | 'corsOrigins' | 'devSignIn' | 'maxPayloadBytes'> {
  return {
    events: {
      heartbeatMs: config.SSE_HEARTBEAT_MS,
      maxStreams: config.SSE_MAX_STREAMS,
      maxBufferedBytes: config.SSE_MAX_BUFFERED_BYTES,
      replayMaxMessages: config.SSE_REPLAY_MAX_MESSAGES,
    },
    corsOrigins: parseCorsOrigins(config.CORS_ORIGINS),
    devSignIn: config.DEV_SIGNIN,
    maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
  };
}
