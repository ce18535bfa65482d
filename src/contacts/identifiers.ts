/**
 * A contact's identifiers: every name by which some source knows the person. One string each,
 * `kind:` first, stored in `contact_identifiers` (unique: an identifier belongs to one contact):
 *
 * - `external:<source>:<id>` — an id issued by another system. `contact.id` of an event, of
 *   `PUT /v1/contacts/:id` and of an import is `external:app:<id>`: the id your application
 *   gives the person (the `external_id` column keeps the first one, what the API shows).
 * - `email:<address>` — lower-cased, as `contact.email` is stored.
 * - `shopify:<shop>:<customer id>` — a Shopify customer of a shop (its `*.myshopify.com`
 *   domain, from the webhook's `X-Shopify-Shop-Domain`; `default` when a delivery names none).
 * - `phone:<E.164>` — `+` and 8 to 15 digits.
 *
 * Strength orders them when an event's identifiers name different contacts that may not merge:
 * the event goes to the contact of its strongest identifier (an id beats an address a person may
 * share or mistype).
 */
export type IdentifierKind = 'external' | 'shopify' | 'phone' | 'email';

export const IDENTIFIER_KINDS: readonly IdentifierKind[] = ['external', 'shopify', 'phone', 'email'];

/** `contact.id` lives in this namespace: `external:app:<id>`. */
export const APP_SOURCE = 'app';

/** Shopify customers of a delivery without `X-Shopify-Shop-Domain`. */
export const DEFAULT_SHOP = 'default';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SOURCE = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const SHOP = /^[a-z0-9][a-z0-9.-]{0,254}$/;

export const externalIdentifier = (id: string, source = APP_SOURCE) => `external:${source}:${id}`;
export const emailIdentifier = (email: string) => `email:${email.toLowerCase()}`;
export const shopifyIdentifier = (shop: string, customerId: string) => `shopify:${shop.toLowerCase()}:${customerId}`;

export const kindOf = (identifier: string): IdentifierKind => identifier.slice(0, identifier.indexOf(':')) as IdentifierKind;

/** Lower rank = stronger. */
export const strength = (identifier: string): number => IDENTIFIER_KINDS.indexOf(kindOf(identifier));

/**
 * The canonical form of an identifier as a caller wrote it, or a message saying what shape was
 * expected (the caller puts it at its field: `contact.identifiers[1]`, an import's column).
 * Emails are lower-cased, shop domains too, phones lose spaces, dashes and brackets.
 */
export function parseIdentifier(raw: string): { ok: true; value: string } | { ok: false; message: string } {
  const colon = raw.indexOf(':');
  const kind = colon < 0 ? '' : raw.slice(0, colon);
  const rest = colon < 0 ? '' : raw.slice(colon + 1);
  const fail = (message: string) => ({ ok: false as const, message });
  if (raw.length > 400) return fail('expected an identifier of at most 400 characters');
  switch (kind) {
    case 'email':
      return EMAIL.test(rest)
        ? { ok: true, value: emailIdentifier(rest) }
        : fail('expected email:<address>, such as email:ana@example.com');
    case 'phone': {
      const digits = rest.replace(/[\s().-]/g, '');
      return /^\+[1-9]\d{7,14}$/.test(digits)
        ? { ok: true, value: `phone:${digits}` }
        : fail('expected phone:<E.164 number>, such as phone:+48601234567');
    }
    case 'shopify': {
      const [shop, id, extra] = rest.split(':');
      return shop && SHOP.test(shop.toLowerCase()) && id && /^\d{1,20}$/.test(id) && extra === undefined
        ? { ok: true, value: shopifyIdentifier(shop, id) }
        : fail('expected shopify:<shop>:<customer id>, such as shopify:demo.myshopify.com:7712345678901');
    }
    case 'external': {
      const at = rest.indexOf(':');
      const source = at < 0 ? '' : rest.slice(0, at);
      const id = at < 0 ? '' : rest.slice(at + 1);
      return SOURCE.test(source) && id.length > 0 && id.length <= 255 && !/\s/.test(id)
        ? { ok: true, value: externalIdentifier(id, source) }
        : fail('expected external:<source>:<id>, such as external:crm:42');
    }
    default:
      return fail(
        'expected an identifier such as email:ana@example.com, external:crm:42, shopify:<shop>:<customer id> or phone:+48601234567',
      );
  }
}

/** The identifiers a contact upsert names, strongest first (each once). */
export function identifiersOf(c: { externalId?: string; email?: string; identifiers?: readonly string[] }): string[] {
  const all = [
    ...(c.externalId !== undefined ? [externalIdentifier(c.externalId)] : []),
    ...(c.identifiers ?? []),
    ...(c.email !== undefined ? [emailIdentifier(c.email)] : []),
  ];
  return [...new Set(all)].sort((a, b) => strength(a) - strength(b));
}

/**
 * What a `:id` in a route or the CLI names: a whole identifier (`email:…`, `shopify:…:…`,
 * `phone:…`, `external:…:…`), else the application's id (`external:app:<ref>`), else — for
 * something shaped like an address — the email, or like `+48 601…` the phone. Candidates in that order.
 */
export function identifiersForRef(ref: string): string[] {
  const parsed = IDENTIFIER_KINDS.some((k) => ref.startsWith(`${k}:`)) ? parseIdentifier(ref) : undefined;
  if (parsed?.ok) return [parsed.value];
  const phone = /^\+[\d\s().-]{8,}$/.test(ref) ? parseIdentifier(`phone:${ref}`) : undefined;
  return [externalIdentifier(ref), ...(EMAIL.test(ref) ? [emailIdentifier(ref)] : []), ...(phone?.ok ? [phone.value] : [])];
}

/**
 * What a GDPR export or erasure `:id` names: the application's id, or a whole identifier other
 * than an email (`shopify:…`, `phone:…`, `external:…`) — never an address: an address is not a
 * stable handle for an erasure (it may be shared, mistyped or moved).
 */
export const gdprRef = (ref: string): string[] => identifiersForRef(ref).filter((i) => !i.startsWith('email:'));
