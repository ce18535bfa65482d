import { z } from 'zod';
import type { Result } from '../dsl/diagnostics';
import { fieldErrors } from './fields';
import { deliveredEvent, fulfillment } from './shopify-fulfillment';
import { consentEventJson, contactJson, shopifyAddress, shopifyCustomer, shopifyId, shopifyNumericId } from './shopify-customer';
import type { FieldError } from './types';

/**
 * Shopify webhook payloads → events in our one JSON shape (DESIGN.md "Events"), which the caller
 * then parses like any API body. Topics: `checkouts/create` → `checkout.started`,
 * `checkouts/update` → `checkout.updated` (the checkout `token` is `checkout_id`), `orders/create`
 * → `order.created` (`checkout_token` is `checkout_id`; ingest also writes the `orders` row),
 * `orders/cancelled` → `order.cancelled` (the order's revenue taken back), `refunds/create` →
 * `order.refunded`, `fulfillments/update` with `shipment_status: delivered` → `order.delivered`
 * (./shopify-fulfillment.ts; both of these about the stored order's contact);
 * each may add a consent event for the customer. Dedupe keys name the business fact, not the
 * delivery, so Shopify sending the same checkout or order under two webhook ids stores it once.
 * Every id ends up a string of its exact digits (order, customer, product: `shopifyId`); the
 * checkout `token` and `checkout_token` are strings already.
 */
export type ShopifyMapping = { kind: 'events'; events: unknown[] } | { kind: 'ignored'; reason: string };

const money = z.union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()], { error: 'expected an amount' });
const lineItem = z.looseObject({
  id: shopifyNumericId.nullish(),
  admin_graphql_api_id: z.string().nullish(),
  variant_id: shopifyNumericId.nullish(),
  product_id: shopifyNumericId.nullish(),
  title: z.string(),
  quantity: z.number().int(),
  price: money,
});
const common = {
  email: z.string().nullish(),
  currency: z.string(),
  total_price: money,
  customer_locale: z.string().nullish(),
  line_items: z.array(lineItem).default([]),
  customer: shopifyCustomer.nullish(),
  shipping_address: shopifyAddress.nullish(),
  billing_address: shopifyAddress.nullish(),
  created_at: z.string(),
};
const checkout = z.looseObject({
  ...common,
  token: z.string().min(1),
  updated_at: z.string().nullish(),
  abandoned_checkout_url: z.string().nullish(),
});
const order = z.looseObject({
  ...common,
  id: shopifyNumericId,
  admin_graphql_api_id: z.string().nullish(),
  name: z.string().nullish(),
  checkout_token: z.string().nullish(),
  landing_site: z.string().nullish(),
  cancelled_at: z.string().nullish(),
});

/** Our items; `line_item_id` and `variant_id` (exact digit strings) when Shopify sends them. */
const items = (lines: z.output<typeof lineItem>[]) =>
  lines.map((l) => {
    const lineItemId = shopifyId(l.id, l.admin_graphql_api_id);
    const variantId = shopifyId(l.variant_id, undefined);
    return {
      product_id: shopifyId(l.product_id, undefined) ?? null,
      title: l.title,
      quantity: l.quantity,
      price: Number(l.price),
      ...(lineItemId !== undefined && { line_item_id: lineItemId }),
      ...(variantId !== undefined && { variant_id: variantId }),
    };
  });

/**
 * `refunds/create` and `fulfillments/update` carry no customer: the route looks the stored
 * order's contact up first and hands it in (`orderContact`), so the mapping stays pure.
 */
export interface ShopifyContext {
  orderContact?: { id?: string; email?: string; identifiers?: string[] };
  /** The shop (`X-Shopify-Shop-Domain`, lower-cased) its customers belong to; default `default`. */
  shop?: string;
}

const refund = z.looseObject({
  id: shopifyNumericId,
  order_id: shopifyNumericId,
  created_at: z.string(),
  transactions: z.array(z.looseObject({ kind: z.string(), status: z.string().nullish(), amount: money })).default([]),
});

/** The order id a `refunds/create` payload is about (exact digits), for the route's contact lookup. */
export function refundOrderId(payload: unknown): string | undefined {
  const parsed = refund.safeParse(payload);
  return parsed.success ? shopifyId(parsed.data.order_id, undefined) : undefined;
}

export function mapShopifyWebhook(
  topic: string,
  payload: unknown,
  webhookId: string,
  context: ShopifyContext = {},
): Result<ShopifyMapping, FieldError[]> {
  if (topic === 'refunds/create') {
    const parsed = refund.safeParse(payload, { reportInput: true });
    if (!parsed.success) return { ok: false, error: fieldErrors(parsed.error) };
    const r = parsed.data;
    const orderId = shopifyId(r.order_id, undefined);
    const refundId = shopifyId(r.id, undefined);
    // Money given back: successful refund transactions (a refund of only restocked items has none).
    const amount = r.transactions
      .filter((t) => t.kind === 'refund' && (t.status ?? 'success') === 'success')
      .reduce((sum, t) => sum + Math.round(Number(t.amount) * 100), 0);
    if (!context.orderContact || orderId === undefined || refundId === undefined)
      return { ok: true, value: { kind: 'ignored', reason: 'a refund of an order Almanac never stored' } };
    if (amount <= 0) return { ok: true, value: { kind: 'ignored', reason: 'the refund returned no money' } };
    return events(
      {
        id: `shopify:order.refunded:${refundId}`,
        type: 'order.refunded',
        occurred_at: r.created_at,
        contact: context.orderContact,
        properties: { order_id: orderId, amount: (amount / 100).toFixed(2) },
      },
      undefined,
    );
  }
  if (topic === 'fulfillments/update') {
    const parsed = fulfillment.safeParse(payload, { reportInput: true });
    if (!parsed.success) return { ok: false, error: fieldErrors(parsed.error) };
    const mapped = deliveredEvent(parsed.data, context.orderContact);
    return mapped.kind === 'ignored' ? { ok: true, value: mapped } : events(mapped.event, undefined);
  }
  if (topic === 'checkouts/create' || topic === 'checkouts/update') {
    const parsed = checkout.safeParse(payload, { reportInput: true });
    if (!parsed.success) return { ok: false, error: fieldErrors(parsed.error) };
    const k = parsed.data;
    const contact = contactJson(k.customer, k.email, k.customer_locale, [k.shipping_address, k.billing_address], context.shop);
    if (!contact) return { ok: true, value: { kind: 'ignored', reason: 'the checkout has no customer id or email yet' } };
    const started = topic === 'checkouts/create';
    const at = started ? k.created_at : (k.updated_at ?? k.created_at);
    const event = {
      id: started ? `shopify:checkout.started:${k.token}` : `shopify:checkout.updated:${k.token}:${at}`,
      type: started ? 'checkout.started' : 'checkout.updated',
      occurred_at: at,
      contact,
      properties: {
        checkout_id: k.token,
        total: Number(k.total_price),
        currency: k.currency,
        items: items(k.line_items),
        ...(k.abandoned_checkout_url ? { url: k.abandoned_checkout_url } : {}),
      },
    };
    return events(event, consentEventJson(k.customer, contact, at, webhookId));
  }
  if (topic === 'orders/create') {
    const parsed = order.safeParse(payload, { reportInput: true });
    if (!parsed.success) return { ok: false, error: fieldErrors(parsed.error) };
    const o = parsed.data;
    const contact = contactJson(o.customer, o.email, o.customer_locale, [o.shipping_address, o.billing_address], context.shop);
    if (!contact) return { ok: true, value: { kind: 'ignored', reason: 'the order has no customer id or email' } };
    const orderId = shopifyId(o.id, o.admin_graphql_api_id);
    if (orderId === undefined) {
      return {
        ok: false,
        error: [
          { path: 'id', message: 'expected the exact order id: digits beyond 2^53 must not be rounded (or send admin_graphql_api_id)' },
        ],
      };
    }
    const event = {
      id: `shopify:order.created:${orderId}`,
      type: 'order.created',
      occurred_at: o.created_at,
      contact,
      properties: {
        order_id: orderId,
        ...(o.name ? { order_name: o.name } : {}),
        ...(o.checkout_token ? { checkout_id: o.checkout_token } : {}),
        total: Number(o.total_price),
        currency: o.currency,
        items: items(o.line_items),
        // Where the buyer landed: its utm_campaign credits a campaign without a tracked click.
        ...(o.landing_site ? { landing_url: o.landing_site.slice(0, 2048) } : {}),
      },
    };
    return events(event, consentEventJson(o.customer, contact, o.created_at, webhookId));
  }
  if (topic === 'orders/cancelled') {
    const parsed = order.safeParse(payload, { reportInput: true });
    if (!parsed.success) return { ok: false, error: fieldErrors(parsed.error) };
    const o = parsed.data;
    const contact = contactJson(o.customer, o.email, o.customer_locale, [o.shipping_address, o.billing_address], context.shop);
    const orderId = shopifyId(o.id, o.admin_graphql_api_id);
    if (!contact || orderId === undefined) return { ok: true, value: { kind: 'ignored', reason: 'the order has no customer or exact id' } };
    // The whole order's revenue is taken back: its credits drop to 0 at the next attribution.
    return events(
      {
        id: `shopify:order.cancelled:${orderId}`,
        type: 'order.cancelled',
        occurred_at: o.cancelled_at ?? o.created_at,
        contact,
        properties: { order_id: orderId },
      },
      undefined,
    );
  }
  return { ok: true, value: { kind: 'ignored', reason: `topic "${topic}" is not mapped to events` } };
}

/** Consent first, so a journey triggered by the checkout already sees the grant. */
function events(main: unknown, consent: unknown): Result<ShopifyMapping, FieldError[]> {
  return { ok: true, value: { kind: 'events', events: consent ? [consent, main] : [main] } };
}
