import { fixture } from '../http/ingest-app';

/**
 * Shopify webhook bodies for a shopper of our choosing, made from the recorded fixtures in
 * tests/fixtures/shopify/ with only who, which checkout and when changed, so every other field is
 * what Shopify really sends. Bodies are strings: the HMAC is computed over exactly these bytes.
 */
export interface Shopper {
  customerId: string;
  email: string;
  firstName: string;
  /** The checkout token, which orders carry as `checkout_token`. */
  token: string;
}

type Json = Record<string, unknown>;

function customer(base: Json, s: Shopper): Json {
  return {
    ...base,
    id: Number(s.customerId),
    email: s.email,
    first_name: s.firstName,
    admin_graphql_api_id: `gid://shopify/Customer/${s.customerId}`,
  };
}

/** A `checkouts/create` body: the customer is subscribed to email marketing, as in the fixture. */
export function checkoutBody(s: Shopper, at: Date): string {
  const k = JSON.parse(fixture('checkouts-create')) as Json;
  return JSON.stringify({
    ...k,
    token: s.token,
    email: s.email,
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
    abandoned_checkout_url: `https://almanac-demo.myshopify.com/checkouts/ac/${s.token}/recover`,
    customer: customer(k.customer as Json, s),
  });
}

/** An `orders/create` body for the shopper's checkout, placed at `at`. */
export function orderBody(s: Shopper, orderId: string, at: Date): string {
  const o = JSON.parse(fixture('orders-create')) as Json;
  return JSON.stringify({
    ...o,
    id: Number(orderId),
    admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
    checkout_token: s.token,
    email: s.email,
    contact_email: s.email,
    created_at: at.toISOString(),
    processed_at: at.toISOString(),
    customer: customer(o.customer as Json, s),
  });
}
