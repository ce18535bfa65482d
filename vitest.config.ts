import { configDefaults, defineConfig } from 'vitest/config';

// Two cores: two forked workers. `isolate: false` lets the files of one worker share the single
// PGlite instance that tests/helpers/db.ts keeps per worker (a fresh one costs 2–4 s); each file
// still gets a schema of its own, so files share no data and need no order.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // tests/workers/ spawns servers: npm run test:workers (vitest.workers.config.ts).
    exclude: ['tests/workers/**', ...configDefaults.exclude],
    pool: 'forks',
    maxWorkers: 2,
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { TZ: 'UTC' },
  },
});
