import type { MergePolicy } from '../contacts/resolve';
import { Hono } from 'hono';
import type { Database } from '../storage/db';
import { parseEvent } from '../events/schema';
import { idempotencyKey, ingestFromApi, orThrowFlat, parseJson, refuseOddStrings, validationError } from './events-input';
import { apiKey } from './middleware/api-key';

export interface OrderRoutesDeps {
  database: Database;
  apiKeys: readonly string[];
  now: () => Date;
  jsonMaxDepth?: number;
  suppressionKey?: string;
  /** MERGE_ON_EMAIL, MERGE_SOURCES (src/contacts/resolve.ts); absent: the defaults. */
  mergePolicy?: MergePolicy;
}

/**
 * `POST /v1/orders` (bearer API key): an order from any shop system — `{ order_id, total,
 * currency, contact: { id | email, … }, items?, checkout_id?, landing_url?, occurred_at?, id? }`.
 * Recorded as an `order.created` event through the one ingestion path: the `orders` row
 * (`unique(source, order_id)`, so a resent order is stored once), its landing UTMs, the journeys
 * it ends (`exit_on: order.created`) and, at the next tick, its attribution. The same field rules
 * as the event (a negative total or an unknown currency → 400 naming the field). Answers 202.
 */
export function orderRoutes(deps: OrderRoutesDeps) {
  const app = new Hono();
  app.post('/v1/orders', apiKey({ keys: deps.apiKeys }), async (c) => {
    const now = deps.now();
    const json = parseJson(await c.req.text(), deps.jsonMaxDepth === undefined ? {} : { maxDepth: deps.jsonMaxDepth });
    refuseOddStrings(json, 'order');
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw validationError([{ path: '(body)', message: 'expected an object with order_id, total, currency and contact' }], 'order');
    const { id, contact, occurred_at, ...properties } = json as Record<string, unknown>;
    const event = {
      ...(id === undefined ? {} : { id }),
      type: 'order.created',
      ...(occurred_at === undefined ? {} : { occurred_at }),
      contact,
      properties,
    };
    const key = idempotencyKey(c.req.header('idempotency-key')) ?? `order:${String(properties.order_id)}`;
    const events = orThrowFlat(parseEvent(event, { now, idempotencyKey: key }), 'order');
    return c.json(await ingestFromApi(deps, events, now), 202);
  });
  return app;
}
