import { Hono } from 'hono';
import { ingestEvents } from '../events/ingest';
import { parseEvent, parseEventBatch } from '../events/schema';
import type { Database } from '../storage/db';
import { idempotencyKey, orThrow, parseJson } from './events-input';
import { apiKey } from './middleware/api-key';

export interface EventRoutesDeps {
  database: Database;
  apiKeys: readonly string[];
  now: () => Date;
}

/**
 * `POST /v1/events` (one event) and `POST /v1/events/batch` (`{ "events": [...] }`, up to 1000):
 * validated all-or-nothing, stored in one transaction, answered 202 with what was new and what
 * was a duplicate. A repeated request (same `id`s or `Idempotency-Key`) stores nothing and
 * answers the same ids with `duplicate: true`.
 */
export function eventRoutes(deps: EventRoutesDeps) {
  const app = new Hono();
  const auth = apiKey({ keys: deps.apiKeys });
  app.post('/v1/events', auth, async (c) => {
    const now = deps.now();
    const options = { now, idempotencyKey: idempotencyKey(c.req.header('idempotency-key')) };
    const events = orThrow(parseEvent(parseJson(await c.req.text()), options));
    return c.json(await ingestEvents(deps.database.db, events, { source: 'api', now }), 202);
  });
  app.post('/v1/events/batch', auth, async (c) => {
    const now = deps.now();
    const options = { now, idempotencyKey: idempotencyKey(c.req.header('idempotency-key')) };
    const events = orThrow(parseEventBatch(parseJson(await c.req.text()), options), 'batch');
    return c.json(await ingestEvents(deps.database.db, events, { source: 'api', now }), 202);
  });
  return app;
}
