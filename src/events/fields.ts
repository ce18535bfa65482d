import { z } from 'zod';
import { parseIdentifier } from '../contacts/identifiers';
import { type GuessSource, isKnownCountry, localeFromAcceptLanguage, localeFromCountry, zoneFromAddress } from '../contacts/zone';
import type { FieldError } from './types';

/**
 * Field schemas shared by the event body and `PUT /v1/contacts/:id`, and the one translation of
 * zod issues into `path: message` errors a caller can act on.
 */
export function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    // Intl also accepts offsets like "+01:00"; a contact's zone must be a named IANA zone.
    return /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone);
  } catch {
    return false;
  }
}

/**
 * The canonical name of a zone, as stored: what the platform's tz database resolves it to, so
 * `europe/warsaw` is stored as `Europe/Warsaw` and links as their target (`US/Pacific` →
 * `America/Los_Angeles`, `EST5EDT` → `America/New_York`, `GMT` → `UTC`). Undefined for anything
 * that is not a named zone (offsets like `+01:00`, unknown names).
 */
export function canonicalZone(zone: string): string | undefined {
  if (!isIanaZone(zone)) return undefined;
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

export const timezoneField = z
  .string({ error: 'expected an IANA time zone such as Europe/Warsaw' })
  .refine(isIanaZone, { error: 'expected an IANA time zone such as Europe/Warsaw' })
  .transform((zone) => canonicalZone(zone)!);

export const localeField = z
  .string({ error: 'expected a locale such as pl or en-GB' })
  .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, { error: 'expected a locale such as pl or en-GB' });

/** Stored lower-cased: contacts are matched by lower-cased email. */
export const emailField = z
  .email({ error: 'expected an email address' })
  .max(320, { error: 'expected an email address of at most 320 characters' })
  .transform((e) => e.toLowerCase());

export const attributesField = z.record(z.string(), z.unknown(), { error: 'expected an object of attributes' });

export const lifecycleStageField = z
  .string({ error: 'expected a lifecycle stage name' })
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, { error: 'expected a lower-case lifecycle stage name such as customer' });

/** `['events', 3, 'contact', 'email']` → `events[3].contact.email`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>, root = '(body)'): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || root;
}

/** zod issues → field errors; "unknown field" per unrecognized key, "required" for a missing value. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: fieldPath([...issue.path, key]), message: 'unknown field' });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      out.push({ path: fieldPath(issue.path), message: 'required' });
    } else {
      out.push({ path: fieldPath(issue.path), message: issue.message });
    }
  }
  return out;
}

/**
 * A postal address (`contact.address`), for guessing a contact's zone and locale when none is
 * stated (src/contacts/zone.ts): `country_code` (ISO 3166-1 alpha-2), `province` / state and
 * `city` by name. Other keys (street, zip…) are allowed and ignored: Almanac keeps no addresses.
 */
export const addressField = z.looseObject(
  {
    country_code: z
      .string({ error: 'expected an ISO 3166-1 country code such as PL or US' })
      .refine(isKnownCountry, { error: 'expected an ISO 3166-1 country code such as PL or US' })
      .transform((c) => c.toUpperCase()),
    province: z.string({ error: 'expected a province or state name' }).max(100, { error: 'expected at most 100 characters' }).optional(),
    city: z.string({ error: 'expected a city name' }).max(100, { error: 'expected at most 100 characters' }).optional(),
  },
  { error: 'expected an address object with a country_code' },
);

/**
 * The zone and locale of a contact as an upsert takes them: stated ones as they are (`explicit`);
 * else the locale the browser asked for (`accept_language`: the form submission's header, sent as
 * `contact.accept_language`), else guesses from the address (`address`); none when there is
 * nothing to go by.
 */
export function guessed(c: { timezone?: string; locale?: string; address?: z.output<typeof addressField>; accept_language?: string }): {
  timezone?: string;
  timezoneSource?: 'explicit' | 'address';
  locale?: string;
  localeSource?: GuessSource;
} {
  const where = c.address ? { countryCode: c.address.country_code, province: c.address.province, city: c.address.city } : undefined;
  const zone = c.timezone ?? (where ? zoneFromAddress(where) : undefined);
  const browser = c.locale === undefined && c.accept_language !== undefined ? localeFromAcceptLanguage(c.accept_language) : undefined;
  const locale = c.locale ?? browser ?? (where ? localeFromCountry(where.countryCode) : undefined);
  // A stated value carries no source: the upsert takes it as explicit.
  return {
    ...(zone !== undefined && { timezone: zone, ...(c.timezone === undefined && { timezoneSource: 'address' as const }) }),
    ...(locale !== undefined && {
      locale,
      ...(c.locale === undefined && { localeSource: browser !== undefined ? ('accept_language' as const) : ('address' as const) }),
    }),
  };
}

/**
 * More names of the contact (src/contacts/identifiers.ts): `email:…`, `external:<source>:<id>`,
 * `shopify:<shop>:<customer id>`, `phone:+…`; each canonicalised, a wrong shape an error at its index.
 */
export const identifiersField = z
  .array(
    z.string({ error: 'expected an identifier string' }).transform((raw, ctx) => {
      const parsed = parseIdentifier(raw);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }),
    { error: 'expected an array of identifiers such as ["shopify:demo.myshopify.com:42", "phone:+48601234567"]' },
  )
  .max(20, { error: 'expected at most 20 identifiers' });

/** The fields a contact may carry besides its id, the same on events (`contact`) and `PUT /v1/contacts/:id`. */
export const contactFields = {
  email: emailField,
  timezone: timezoneField,
  locale: localeField,
  attributes: attributesField,
  lifecycle_stage: lifecycleStageField,
  address: addressField,
  identifiers: identifiersField,
  /** The `Accept-Language` header of the person's browser (a form submission): the locale when none is stated. */
  accept_language: z
    .string({ error: 'expected the Accept-Language header value, such as "pl-PL,pl;q=0.9,en;q=0.8"' })
    .max(1000, { error: 'expected at most 1000 characters' }),
};
