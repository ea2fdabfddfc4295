import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PGlite takes seconds to boot and real-socket suites wait on real networks.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files only makes each slower.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
