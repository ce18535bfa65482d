import { Hono } from 'hono';
import { ingestEvents } from '../events/ingest';
import { parseEventBody } from '../events/schema';
import type { Database } from '../storage/db';
import { decodeUtf8, orThrow, parseJson } from './events-input';
import { type StandardWebhookEnv, standardWebhooks } from './middleware/standard-webhooks';

export interface IngestRoutesDeps {
  database: Database;
  /** `source` → `whsec_…` (INGEST_SECRETS). */
  ingestSecrets: Readonly<Record<string, string>>;
  now: () => Date;
}

/**
 * `POST /webhooks/ingest/:source`: events in our JSON shape (one, or `{ "events": [...] }`) from
 * a sender signing with Standard Webhooks. The `webhook-id` is the delivery's receipt and the
 * idempotency key of events sent without an `id` (`<source>:<webhook-id>`, `…:<i>` in a batch).
 * Events are stored with `source` = the route's source name.
 */
export function ingestWebhookRoutes(deps: IngestRoutesDeps) {
  const app = new Hono<StandardWebhookEnv>();
  app.post('/webhooks/ingest/:source', standardWebhooks({ secrets: deps.ingestSecrets, now: deps.now }), async (c) => {
    const now = deps.now();
    const source = c.get('webhookSource');
    const deliveryId = c.get('webhookId');
    const body = parseJson(decodeUtf8(c.get('rawBody')));
    const events = orThrow(parseEventBody(body, { now, idempotencyKey: `${source}:${deliveryId}` }));
    const receipt = { source: `ingest:${source}`, deliveryId };
    const result = await ingestEvents(deps.database.db, events, { source, now, receipt });
    return c.json(result.replayed ? { duplicate: true } : result);
  });
  return app;
}
