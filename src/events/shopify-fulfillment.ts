import { z } from 'zod';
import { shopifyId, shopifyNumericId } from './shopify-customer';

/**
 * Shopify `fulfillments/update` → `order.delivered`, once the carrier reports the parcel
 * delivered (`shipment_status: delivered`); every other status (`in_transit`,
 * `out_for_delivery`, none yet) is ignored. A fulfillment carries no customer: the contact is the
 * stored order's (the route looks it up, as for refunds), else the fulfillment's `email`.
 * One event per fulfillment (dedupe key `shopify:order.delivered:<fulfillment id>`), dated when
 * the fulfillment last changed; an order shipped in two parcels is delivered twice, each with the
 * same `order_id` (a campaign correlating on it runs once per order at a time).
 */
export const fulfillment = z.looseObject({
  id: shopifyNumericId,
  admin_graphql_api_id: z.string().nullish(),
  order_id: shopifyNumericId,
  shipment_status: z.string().nullish(),
  email: z.string().nullish(),
  created_at: z.string(),
  updated_at: z.string().nullish(),
  tracking_company: z.string().nullish(),
  tracking_number: z.string().nullish(),
  tracking_url: z.string().nullish(),
});

/** The order a `fulfillments/update` payload is about (exact digits), for the route's contact lookup. */
export function fulfillmentOrderId(payload: unknown): string | undefined {
  const parsed = fulfillment.safeParse(payload);
  return parsed.success ? shopifyId(parsed.data.order_id, undefined) : undefined;
}

export type FulfillmentMapping = { kind: 'event'; event: unknown } | { kind: 'ignored'; reason: string };

/** A parsed fulfillment and the stored order's contact (if any) → the event, or why none. */
export function deliveredEvent(
  f: z.output<typeof fulfillment>,
  orderContact: { id?: string; email?: string; identifiers?: string[] } | undefined,
): FulfillmentMapping {
  if (f.shipment_status !== 'delivered')
    return { kind: 'ignored', reason: `the fulfillment is not delivered yet (shipment_status: ${f.shipment_status ?? 'none'})` };
  const orderId = shopifyId(f.order_id, undefined);
  const fulfillmentId = shopifyId(f.id, f.admin_graphql_api_id);
  const contact = orderContact ?? (f.email ? { email: f.email } : undefined);
  if (!contact || orderId === undefined || fulfillmentId === undefined)
    return { kind: 'ignored', reason: 'a delivery of an order Almanac never stored, with no email' };
  return {
    kind: 'event',
    event: {
      id: `shopify:order.delivered:${fulfillmentId}`,
      type: 'order.delivered',
      occurred_at: f.updated_at ?? f.created_at,
      contact,
      properties: {
        order_id: orderId,
        fulfillment_id: fulfillmentId,
        ...(f.tracking_company ? { tracking_company: f.tracking_company } : {}),
        ...(f.tracking_number ? { tracking_number: f.tracking_number } : {}),
        ...(f.tracking_url ? { tracking_url: f.tracking_url.slice(0, 2048) } : {}),
      },
    },
  };
}
