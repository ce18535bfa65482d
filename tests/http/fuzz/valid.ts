import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { clone, type Json, parseModel, Raw, setKey } from './json';

/** Valid bodies of each route, the seeds the mutations start from. Receipt time is 2026-11-23T10:45Z. */

export const CONTACT_IDS = ['c-1', 'c-2', 'c-3', '7712345678901', '820982911946154508', 'c-ü'];
export const EMAILS = ['ada@example.com', 'grace@example.com', 'lin@example.com', 'mo@example.com'];
const RECEIVED = Date.parse('2026-11-23T10:45:00Z');

const occurredAt = fc.integer({ min: -40 * 86_400_000, max: 4 * 60_000 }).map((ms) => new Date(RECEIVED + ms).toISOString());
const contactId = fc.oneof(
  { arbitrary: fc.constantFrom(...CONTACT_IDS), weight: 4 },
  fc.nat().map((n) => `c-fz-${n}`),
);
const email = fc.oneof(
  { arbitrary: fc.constantFrom(...EMAILS), weight: 3 },
  fc.nat().map((n) => `fz${n}@example.com`),
);
const attributes = fc.dictionary(fc.constantFrom('first_name', 'plan', 'city', 'cart', 'n'), fc.jsonValue({ maxDepth: 2 }), {
  maxKeys: 3,
}) as fc.Arbitrary<Record<string, Json>>;

export const contactBody = fc.record(
  {
    email,
    timezone: fc.constantFrom('Europe/Warsaw', 'Asia/Tokyo', 'UTC', 'America/New_York'),
    locale: fc.constantFrom('pl', 'en-GB', 'ja'),
    attributes,
    lifecycle_stage: fc.constantFrom('lead', 'customer', 'churned'),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, Json>>;

const eventContact = fc
  .tuple(contactId, contactBody)
  .map(([id, rest]) => ({ id, ...rest }) as Record<string, Json>)
  .chain((c) => fc.constantFrom(c, { email: c.email ?? EMAILS[0]! } as Record<string, Json>, { id: c.id! } as Record<string, Json>));

const items = fc.array(
  fc.record({
    product_id: fc.constantFrom('p1', 'p2'),
    title: fc.constantFrom('Mug', 'Plate'),
    quantity: fc.nat(5),
    price: fc.double({ min: 0, max: 500, noNaN: true }),
  }),
  { maxLength: 3 },
);

const properties = fc.oneof(
  fc.record({
    checkout_id: fc.nat().map((n) => `k-${n}`),
    total: fc.double({ min: 0, max: 1e6, noNaN: true }),
    currency: fc.constantFrom('EUR', 'PLN'),
    items,
    url: fc.constant('https://shop.example/c/k'),
  }),
  fc.record({
    order_id: fc.nat().map((n) => `o-${n}`),
    checkout_id: fc.constant('k-1'),
    total: fc.constant(12.5),
    currency: fc.constant('EUR'),
    items,
  }),
  fc.record({
    purpose: fc.constantFrom('email.marketing', 'email.transactional'),
    text: fc.constant('Yes, send me offers'),
    text_version: fc.constant('v1'),
    source: fc.constant('footer-form'),
    ip: fc.constantFrom('198.51.100.4', '2001:db8::1'),
    user_agent: fc.constant('Mozilla/5.0'),
  }),
  fc.constant({}),
) as fc.Arbitrary<Record<string, Json>>;

const eventType = fc.constantFrom(
  'checkout.started',
  'order.created',
  'consent.granted',
  'consent.withdrawn',
  'page.viewed',
  'lifecycle.changed',
);

/** An event in our JSON shape; `id` from a small pool now and then, so duplicates happen. */
export const event = (options: { withId?: 'always' | 'sometimes' } = {}) =>
  fc
    .record(
      {
        id: fc.oneof({ arbitrary: fc.nat().map((n) => `fz-${n}`), weight: 5 }, fc.constantFrom('dup-1', 'dup-2')),
        type: eventType,
        occurred_at: occurredAt,
        contact: eventContact,
        properties,
      },
      { requiredKeys: options.withId === 'always' ? ['id', 'type', 'contact'] : ['type', 'contact'] },
    )
    .map((e) => e as Record<string, Json>);

export const batch = (options: { withId?: 'always' | 'sometimes' } = {}) =>
  fc.array(event(options), { minLength: 1, maxLength: 5 }).map((events) => ({ events }) as Record<string, Json>);

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/shopify/${name}.json`, import.meta.url), 'utf8');
const FIXTURES = {
  'checkouts-create': parseModel(fixture('checkouts-create')),
  'checkouts-update': parseModel(fixture('checkouts-update')),
  'orders-create': parseModel(fixture('orders-create')),
  'orders-create-large-ids': parseModel(fixture('orders-create-large-ids')),
};

export const SHOPIFY_TOPICS = [
  'checkouts/create',
  'checkouts/update',
  'orders/create',
  'customers/create',
  'products/update',
  '',
  'ORDERS/CREATE',
];

/** A Shopify payload for `topic`, made unique by `n` (checkout token, order id beyond 2^53, customer id). */
export function shopifyPayload(topic: string, n: number, large: boolean): Json {
  const name = topic.startsWith('checkouts/update')
    ? 'checkouts-update'
    : topic.startsWith('checkouts')
      ? 'checkouts-create'
      : large
        ? 'orders-create-large-ids'
        : 'orders-create';
  const body = clone(FIXTURES[name]) as Record<string, Json>;
  setKey(body, 'token', `fz${n}`);
  if (name.startsWith('orders')) {
    setKey(body, 'id', new Raw(String(9_100_000_000_000_000_000n + BigInt(n))));
    setKey(body, 'name', `#fz${n}`);
    if (body.admin_graphql_api_id !== undefined)
      setKey(body, 'admin_graphql_api_id', `gid://shopify/Order/${9_100_000_000_000_000_000n + BigInt(n)}`);
  }
  return body;
}

export const TEMPLATES = ['cart-reminder', 'cart-discount', 'cart-last-call', 'newsletter', 'welcome-1', 'win-back-miss-you'];
