import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';
import { unitTestFiles } from './test/support/test-kinds.js';

/**
 * The workspace packages (@mqtt-chat/protocol, @mqtt-chat/sdk) resolve to their TypeScript
 * sources under this export condition, as under tsx (`--conditions=mqtt-chat-source`) and tsc
 * (`customConditions`); without it they resolve to dist/, which only `npm run build` makes.
 */
const SOURCE_CONDITION = 'mqtt-chat-source';

/** Pure logic: no sockets, processes or databases (test/support/test-kinds.ts reads which files those are). */
const UNIT_TESTS = unitTestFiles(fileURLToPath(new URL('./', import.meta.url)));

export default defineConfig({
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    // PGlite takes seconds to boot and real-socket suites wait on real networks.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files only makes each slower.
    maxWorkers: 2,
    reporters: ['default'],
    // `npm test` runs both; `npm run test:unit` the first alone, in seconds.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT_TESTS,
          // A unit test that reaches for a socket, a process or PGlite anyway fails, naming what it did.
          setupFiles: ['test/support/unit-guard.ts'],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT_TESTS],
          // Builds the web page the platform serves at /app when its sources changed (generated output is not committed).
          globalSetup: ['test/support/web-build.global.ts'],
        },
      },
    ],
  },
});
