import type { MergePolicy } from '../contacts/resolve';
import { Hono } from 'hono';
import { parseEvent, parseEventBatch } from '../events/schema';
import type { Database } from '../storage/db';
import { groupCommit } from '../events/group-commit';
import { idempotencyKey, ingestFromApi, orThrow, parseJson, refuseOddStrings } from './events-input';
import { apiKey } from './middleware/api-key';

export interface EventRoutesDeps {
  database: Database;
  apiKeys: readonly string[];
  now: () => Date;
  /** JSON_MAX_DEPTH (default DEFAULT_JSON_MAX_DEPTH). */
  jsonMaxDepth?: number;
  /** SUPPRESSION_KEY: a new `consent.granted` lifts the `erased` suppression of a GDPR erasure (src/events/ingest.ts). */
  suppressionKey?: string;
  /** MERGE_ON_EMAIL, MERGE_SOURCES (src/contacts/resolve.ts); absent: the defaults. */
  mergePolicy?: MergePolicy;
}

/**
 * `POST /v1/events` (one event) and `POST /v1/events/batch` (`{ "events": [...] }`, up to 1000):
 * validated all-or-nothing, stored in one transaction, answered 202 with what was new and what
 * was a duplicate. A repeated request (same `id`s or `Idempotency-Key`) stores nothing and
 * answers the same ids with `duplicate: true`. A NUL or lone surrogate in any string (key or
 * value) is a 400 naming its field (`events[2].properties.note`), checked before anything else.
 */
export function eventRoutes(deps: EventRoutesDeps) {
  const app = new Hono();
  const auth = apiKey({ keys: deps.apiKeys });
  // Concurrent requests share one commit (src/events/group-commit.ts); each is answered after it.
  const ingest = groupCommit((events, now, receivedAt) => ingestFromApi(deps, events, now, receivedAt));
  const body = async (text: string, what?: string) => {
    const parsed = parseJson(text, { maxDepth: deps.jsonMaxDepth });
    refuseOddStrings(parsed, what);
    return parsed;
  };
  app.post('/v1/events', auth, async (c) => {
    const now = deps.now();
    const options = { now, idempotencyKey: idempotencyKey(c.req.header('idempotency-key')) };
    const events = orThrow(parseEvent(await body(await c.req.text()), options));
    return c.json(await ingest(events, now), 202);
  });
  app.post('/v1/events/batch', auth, async (c) => {
    const now = deps.now();
    const options = { now, idempotencyKey: idempotencyKey(c.req.header('idempotency-key')) };
    const events = orThrow(parseEventBatch(await body(await c.req.text(), 'batch'), options), 'batch');
    return c.json(await ingest(events, now), 202);
  });
  return app;
}
