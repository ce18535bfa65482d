import { DEFAULT_SHOP, shopifyIdentifier } from '../contacts/identifiers';
import { z } from 'zod';
import { isKnownCountry } from '../contacts/zone';
import { emailField, localeField } from './fields';

/**
 * The contact and the email-marketing consent carried by a Shopify checkout or order, as parts
 * of our event JSON shape. Shopify payloads are trusted for shape only after the HMAC check, and
 * a malformed optional field (an odd locale) is dropped rather than failing the delivery.
 */
/**
 * A Shopify numeric id: a JS number only while it is a safe integer; larger ones arrive as the
 * string of their digits (src/http/events-input.ts `parseJson`). A rounded double beyond 2^53
 * (a caller that parsed with plain `JSON.parse`) is not an id: `shopifyId` falls back to the gid.
 */
export const shopifyNumericId = z.union([z.number(), z.string().regex(/^\d{1,30}$/)], {
  error: 'expected a Shopify id (a whole number, or its digits as a string)',
});

/** A Shopify address: only what guesses a zone and locale (src/contacts/zone.ts) is read; a bad one is skipped. */
export const shopifyAddress = z.looseObject({
  country_code: z.string().nullish(),
  province: z.string().nullish(),
  city: z.string().nullish(),
});
export type ShopifyAddress = z.output<typeof shopifyAddress>;

export const shopifyCustomer = z.looseObject({
  id: shopifyNumericId.nullish(),
  admin_graphql_api_id: z.string().nullish(),
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  accepts_marketing: z.boolean().nullish(),
  accepts_marketing_updated_at: z.string().nullish(),
  email_marketing_consent: z
    .looseObject({ state: z.string(), opt_in_level: z.string().nullish(), consent_updated_at: z.string().nullish() })
    .nullish(),
  default_address: shopifyAddress.nullish(),
});
export type ShopifyCustomer = z.output<typeof shopifyCustomer>;

/**
 * The exact id, as a string of digits. Shopify ids exceed 2^53 in places (orders
 * 820982911946154508): `parseJson` hands those over as digit strings, which are used as they are;
 * a safe integer is printed. A number beyond 2^53 has already lost digits, so then the id is read
 * from `admin_graphql_api_id` (`gid://shopify/Customer/123…`), or is undefined without one.
 */
export function shopifyId(id: number | string | null | undefined, gid: string | null | undefined): string | undefined {
  if (typeof id === 'string' && /^\d+$/.test(id)) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return gid ? /\/(\d+)$/.exec(gid)?.[1] : undefined;
}

export interface ContactJson {
  id?: string;
  /** `shopify:<shop>:<customer id>` (src/contacts/identifiers.ts). */
  identifiers?: string[];
  email?: string;
  locale?: string;
  attributes?: Record<string, unknown>;
  address?: { country_code: string; province?: string; city?: string };
}

/**
 * Our `contact` from the customer (else the checkout/order email); undefined when neither
 * identifies anyone. The customer is `shopify:<shop>:<customer id>` (`shop`: the delivery's
 * `X-Shopify-Shop-Domain`), never `contact.id`: that is the application's own id for the person. `addresses` in order of trust (shipping, billing, the customer's default):
 * the first with a known country becomes `contact.address`, from which ingestion guesses the
 * zone and locale the customer did not state.
 */
export function contactJson(
  customer: ShopifyCustomer | null | undefined,
  email: string | null | undefined,
  locale: string | null | undefined,
  addresses: ReadonlyArray<ShopifyAddress | null | undefined> = [],
  shop: string = DEFAULT_SHOP,
): ContactJson | undefined {
  const id = customer ? shopifyId(customer.id, customer.admin_graphql_api_id) : undefined;
  const mail = [customer?.email, email].map((e) => emailField.safeParse(e)).find((r) => r.success)?.data;
  if (id === undefined && mail === undefined) return undefined;
  const attributes = Object.fromEntries((['first_name', 'last_name'] as const).flatMap((k) => (customer?.[k] ? [[k, customer[k]]] : [])));
  const loc = localeField.safeParse(locale);
  const found = [...addresses, customer?.default_address].find((a) => a?.country_code && isKnownCountry(a.country_code));
  const address = found
    ? {
        country_code: found.country_code!.toUpperCase(),
        ...(found.province ? { province: found.province.slice(0, 100) } : {}),
        ...(found.city ? { city: found.city.slice(0, 100) } : {}),
      }
    : undefined;
  return {
    ...(id !== undefined && { identifiers: [shopifyIdentifier(shop, id)] }),
    ...(mail !== undefined && { email: mail }),
    ...(loc.success && { locale: loc.data }),
    ...(Object.keys(attributes).length > 0 && { attributes }),
    ...(address && { address }),
  };
}

/**
 * A `consent.granted` / `consent.withdrawn` event for `email.marketing` when the customer states
 * one. `email_marketing_consent.state` decides: `subscribed` grants, `unsubscribed` withdraws;
 * `not_subscribed`, `pending` (double opt-in not confirmed) and `redacted` say nothing. Only when
 * it is absent does the legacy `accepts_marketing` count, and only `true` (a legacy `false`
 * cannot tell "never asked" from "withdrew", and must not erase a grant made elsewhere).
 * The dedupe key is the consent fact itself (customer, state, when it changed), so the same
 * consent repeated on every checkout update lands in the ledger once.
 */
export function consentEventJson(
  customer: ShopifyCustomer | null | undefined,
  contact: ContactJson,
  fallbackAt: string,
  webhookId: string,
) {
  if (!customer) return undefined;
  const c = customer.email_marketing_consent;
  const granted = c
    ? c.state === 'subscribed'
      ? true
      : c.state === 'unsubscribed'
        ? false
        : undefined
    : customer.accepts_marketing === true
      ? true
      : undefined;
  if (granted === undefined) return undefined;
  const changedAt = c ? c.consent_updated_at : customer.accepts_marketing_updated_at;
  // The customer id as before identifiers, so a consent already stored keeps its dedupe key.
  const who = shopifyId(customer.id, customer.admin_graphql_api_id) ?? contact.email;
  return {
    id: `shopify:consent:${who}:${granted ? 'granted' : 'withdrawn'}:${changedAt ?? `webhook:${webhookId}`}`,
    type: granted ? 'consent.granted' : 'consent.withdrawn',
    occurred_at: changedAt ?? fallbackAt,
    contact,
    properties: {
      purpose: 'email.marketing',
      source: 'shopify',
      ...(c?.opt_in_level ? { opt_in_level: c.opt_in_level } : {}),
    },
  };
}
