import { defineConfig } from 'vitest/config';

// `npm run test:workers`: the HTTP suite against real servers (tests/workers/), kept out of
// `npm test` because each file spawns one (almanac serve, or wrangler dev with workerd). One file
// at a time: two cores, and each server wants one.
export default defineConfig({
  test: {
    include: ['tests/workers/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { TZ: 'UTC', WRANGLER_SEND_METRICS: 'false' },
  },
});
