import { Hono } from 'hono';
import { AppError } from '../errors';
import { ingestEvents } from '../events/ingest';
import { parseEventBatch } from '../events/schema';
import { mapShopifyWebhook } from '../events/shopify';
import type { Database } from '../storage/db';
import { decodeUtf8, orThrow, parseJson } from './events-input';
import { type RawBodyEnv, shopifyHmac } from './middleware/shopify-hmac';

export interface ShopifyRoutesDeps {
  database: Database;
  shopifySecret: string | undefined;
  now: () => Date;
}

/**
 * `POST /webhooks/shopify`: the HMAC is checked on the raw bytes first (401, nothing stored);
 * then the delivery is recorded under `X-Shopify-Webhook-Id` in the same transaction as its
 * events, so a replay, even ten at once, answers 200 `{ duplicate: true }` and stores nothing.
 * Topics we do not map are recorded and answered 200, so Shopify does not retry them.
 */
export function shopifyWebhookRoutes(deps: ShopifyRoutesDeps) {
  const app = new Hono<RawBodyEnv>();
  app.post('/webhooks/shopify', shopifyHmac({ secret: deps.shopifySecret }), async (c) => {
    const now = deps.now();
    const deliveryId = c.req.header('x-shopify-webhook-id');
    const topic = c.req.header('x-shopify-topic') ?? '';
    if (!deliveryId) throw new AppError('bad_request', 'missing X-Shopify-Webhook-Id header');
    const mapped = orThrow(mapShopifyWebhook(topic, parseJson(decodeUtf8(c.get('rawBody'))), deliveryId), `Shopify ${topic} payload`);
    const events = mapped.kind === 'events' ? orThrow(parseEventBatch({ events: mapped.events }, { now }), `Shopify ${topic} payload`) : [];
    const receipt = { source: 'shopify', deliveryId, topic };
    const result = await ingestEvents(deps.database.db, events, { source: 'shopify', now, receipt });
    if (result.replayed) return c.json({ duplicate: true });
    if (mapped.kind === 'ignored') return c.json({ ignored: true, reason: mapped.reason });
    return c.json(result);
  });
  return app;
}
