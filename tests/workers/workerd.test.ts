import { afterAll, beforeAll, describe } from 'vitest';
import { has } from '../helpers/capabilities';
import { httpSuite } from './http-suite';
import { type FreshDatabase, freshDatabase, startWorkerd, type Target } from './targets';

/** The HTTP suite against wrangler dev (workerd) on a fresh PostgreSQL database (npm run test:workers). */
describe.runIf(has('postgres', 'the HTTP suite on workerd'))('HTTP suite on workerd', () => {
  let database: FreshDatabase | undefined;
  let target: Target | undefined;

  beforeAll(async () => {
    database = await freshDatabase();
    target = await startWorkerd(database);
  }, 120_000);

  afterAll(async () => {
    await target?.stop();
    await database?.drop();
  }, 60_000);

  httpSuite(() => target!);
});
