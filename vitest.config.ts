import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * The workspace packages (@mqtt-chat/protocol, @mqtt-chat/sdk) resolve to their TypeScript
 * sources under this export condition, as under tsx (`--conditions=mqtt-chat-source`) and tsc
 * (`customConditions`); without it they resolve to dist/, which only `npm run build` makes.
 */
const SOURCE_CONDITION = 'mqtt-chat-source';

export default defineConfig({
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the web page the platform serves at /app when its sources changed (generated output is not committed).
    globalSetup: ['test/support/web-build.global.ts'],
    // PGlite takes seconds to boot and real-socket suites wait on real networks.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files only makes each slower.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
