import type { MergePolicy } from '../contacts/resolve';
import { Hono } from 'hono';
import { ingestEvents } from '../events/ingest';
import { parseEventBody } from '../events/schema';
import type { Database } from '../storage/db';
import { decodeWebhookBody, INVALID_UTF8, oddStrings, orThrow, parseJson, recordReplaced, replacedPerEvent } from './events-input';
import { type StandardWebhookEnv, standardWebhooks } from './middleware/standard-webhooks';

export interface IngestRoutesDeps {
  database: Database;
  /** `source` → `whsec_…` (INGEST_SECRETS). */
  ingestSecrets: Readonly<Record<string, string>>;
  now: () => Date;
  /** JSON_MAX_DEPTH (default DEFAULT_JSON_MAX_DEPTH). */
  jsonMaxDepth?: number;
  /** SUPPRESSION_KEY: a new `consent.granted` lifts the `erased` suppression of a GDPR erasure (src/events/ingest.ts). */
  suppressionKey?: string;
  /** MERGE_ON_EMAIL, MERGE_SOURCES (src/contacts/resolve.ts); absent: the defaults. */
  mergePolicy?: MergePolicy;
}

/**
 * `POST /webhooks/ingest/:source`: events in our JSON shape (one, or `{ "events": [...] }`) from
 * a sender signing with Standard Webhooks. The `webhook-id` is the delivery's receipt and the
 * idempotency key of events sent without an `id` (`<source>:<webhook-id>`, `…:<i>` in a batch).
 * Events are stored with `source` = the route's source name. A NUL or lone surrogate is replaced
 * by U+FFFD and recorded on the event as `properties._replaced` (see REPLACED_PROPERTY), never refused.
 */
export function ingestWebhookRoutes(deps: IngestRoutesDeps) {
  const app = new Hono<StandardWebhookEnv>();
  app.post('/webhooks/ingest/:source', standardWebhooks({ secrets: deps.ingestSecrets, now: deps.now }), async (c) => {
    const now = deps.now();
    const source = c.get('webhookSource');
    const deliveryId = c.get('webhookId');
    const decoded = decodeWebhookBody(c.get('rawBody'));
    const body = parseJson(decoded.text, { maxDepth: deps.jsonMaxDepth });
    const replaced = oddStrings(body, { replace: true });
    const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
    const parsed = orThrow(parseEventBody(body, { now, idempotencyKey: `${source}:${deliveryId}` }));
    const perEvent = replacedPerEvent(replaced, isBatch);
    const events = recordReplaced(parsed, (i) => [...perEvent(i), ...(decoded.invalid ? [INVALID_UTF8] : [])]);
    const receipt = { source: `ingest:${source}`, deliveryId };
    const result = await ingestEvents(deps.database.db, events, {
      source,
      now,
      receipt,
      ...(deps.suppressionKey ? { suppressionKey: deps.suppressionKey } : {}),
      ...(deps.mergePolicy && { mergePolicy: deps.mergePolicy }),
    });
    return c.json(result.replayed ? { duplicate: true } : result);
  });
  return app;
}
