import { afterAll, beforeAll, describe } from 'vitest';
import { has } from '../helpers/capabilities';
import { httpSuite } from './http-suite';
import { type FreshDatabase, freshDatabase, startNode, type Target } from './targets';

/** The HTTP suite against the Node server (almanac serve) on a fresh PostgreSQL database (npm run test:workers). */
describe.runIf(has('postgres', 'the HTTP suite on node'))('HTTP suite on node', () => {
  let database: FreshDatabase | undefined;
  let target: Target | undefined;

  beforeAll(async () => {
    database = await freshDatabase();
    target = await startNode(database);
  }, 120_000);

  afterAll(async () => {
    await target?.stop();
    await database?.drop();
  }, 60_000);

  httpSuite(() => target!);
});
