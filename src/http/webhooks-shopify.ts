import type { MergePolicy } from '../contacts/resolve';
import { Hono } from 'hono';
import { AppError } from '../errors';
import { ingestEvents } from '../events/ingest';
import { parseEventBatch } from '../events/schema';
import { mapShopifyWebhook, refundOrderId } from '../events/shopify';
import { fulfillmentOrderId } from '../events/shopify-fulfillment';
import { orderContact } from '../storage/orders';
import type { Database } from '../storage/db';
import { decodeWebhookBody, INVALID_UTF8, MAX_DELIVERY_ID, oddStrings, orThrow, parseJson, recordReplaced } from './events-input';
import { type RawBodyEnv, shopifyHmac } from './middleware/shopify-hmac';

export interface ShopifyRoutesDeps {
  database: Database;
  shopifySecret: string | undefined;
  now: () => Date;
  /** JSON_MAX_DEPTH (default DEFAULT_JSON_MAX_DEPTH). */
  jsonMaxDepth?: number;
  /** SUPPRESSION_KEY: a new `consent.granted` lifts the `erased` suppression of a GDPR erasure (src/events/ingest.ts). */
  suppressionKey?: string;
  /** MERGE_ON_EMAIL, MERGE_SOURCES (src/contacts/resolve.ts); absent: the defaults. */
  mergePolicy?: MergePolicy;
}

/**
 * `POST /webhooks/shopify`: the HMAC is checked on the raw bytes first (401, nothing stored);
 * then the delivery is recorded under `X-Shopify-Webhook-Id` in the same transaction as its
 * events, so a replay, even ten at once, answers 200 `{ duplicate: true }` and stores nothing.
 * Topics we do not map are recorded and answered 200, so Shopify does not retry them. Ids beyond
 * 2^53 arrive exact (parseJson keeps their digits). A NUL or lone surrogate is replaced by U+FFFD
 * and every event of the delivery records the payload paths as `properties._replaced`
 * (REPLACED_PROPERTY), so the delivery is still accepted.
 */
export function shopifyWebhookRoutes(deps: ShopifyRoutesDeps) {
  const app = new Hono<RawBodyEnv>();
  app.post('/webhooks/shopify', shopifyHmac({ secret: deps.shopifySecret }), async (c) => {
    const now = deps.now();
    const deliveryId = c.req.header('x-shopify-webhook-id');
    const topic = c.req.header('x-shopify-topic') ?? '';
    if (!deliveryId) throw new AppError('bad_request', 'missing X-Shopify-Webhook-Id header');
    if (deliveryId.length > MAX_DELIVERY_ID)
      throw new AppError('bad_request', `X-Shopify-Webhook-Id is longer than ${MAX_DELIVERY_ID} characters`, {
        details: { header: 'X-Shopify-Webhook-Id' },
      });
    const decoded = decodeWebhookBody(c.get('rawBody'));
    const payload = parseJson(decoded.text, { maxDepth: deps.jsonMaxDepth });
    const replaced = [...oddStrings(payload, { replace: true }), ...(decoded.invalid ? [INVALID_UTF8] : [])];
    // The shop its customers belong to (shopify:<shop>:<id>); a malformed header counts as none.
    const shopHeader = c.req.header('x-shopify-shop-domain')?.trim().toLowerCase();
    const shop = shopHeader && /^[a-z0-9][a-z0-9.-]{0,254}$/.test(shopHeader) ? shopHeader : undefined;
    // A refund or a fulfillment names only its order: its contact is the stored order's.
    const ofOrder =
      topic === 'refunds/create' ? refundOrderId(payload) : topic === 'fulfillments/update' ? fulfillmentOrderId(payload) : undefined;
    const contact = ofOrder === undefined ? undefined : await orderContact(deps.database.db, 'shopify', ofOrder);
    const mapped = orThrow(
      mapShopifyWebhook(topic, payload, deliveryId, { ...(contact && { orderContact: contact }), ...(shop && { shop }) }),
      `Shopify ${topic} payload`,
    );
    const parsed = mapped.kind === 'events' ? orThrow(parseEventBatch({ events: mapped.events }, { now }), `Shopify ${topic} payload`) : [];
    const events = recordReplaced(parsed, () => replaced);
    const receipt = { source: 'shopify', deliveryId, topic };
    const result = await ingestEvents(deps.database.db, events, {
      source: 'shopify',
      now,
      receipt,
      ...(deps.suppressionKey ? { suppressionKey: deps.suppressionKey } : {}),
      ...(deps.mergePolicy && { mergePolicy: deps.mergePolicy }),
    });
    if (result.replayed) return c.json({ duplicate: true });
    if (mapped.kind === 'ignored') return c.json({ ignored: true, reason: mapped.reason });
    return c.json(result);
  });
  return app;
}
