/**
 * Time zone and locale of a contact who did not state them, guessed from a postal address (pure,
 * no I/O). The data are two maintained packages, not a table of ours: `countries-and-timezones`
 * (each ISO 3166 country's IANA zones) and `city-timezones` (7 000+ cities with their country,
 * province or state, population and zone).
 *
 * The zone: a country with one zone has it (Poland → Europe/Warsaw); otherwise the zone of the
 * named city in that province (or country), else of the most populous listed city of the
 * province or state (New York → America/New_York, Western Australia → Australia/Perth), else of
 * the country's most populous listed city (a US address with no state → America/New_York).
 * Province and city are matched by name, case and accents aside (Shopify sends `province`, e.g.
 * "New York", beside `province_code`). The locale: the country's most likely language, from
 * CLDR's likely subtags as the JS runtime ships them (PL → pl, US → en, CH → de).
 */
import cityTimezones from 'city-timezones';
import countries from 'countries-and-timezones';

export interface PostalAddress {
  /** ISO 3166-1 alpha-2, any case. */
  countryCode: string;
  province?: string;
  city?: string;
}

/**
 * Where a contact's zone (or locale) came from: stated, the browser's Accept-Language (locales
 * only), or guessed from an address. Null in the database: none (the calendar's zone applies).
 */
export type GuessSource = 'explicit' | 'accept_language' | 'address';

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** The canonical name of a zone the runtime knows (links resolved), or undefined. */
function canonical(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** True when `code` is a country the zone data know (the check an address's country_code gets). */
export function isKnownCountry(code: string): boolean {
  return /^[A-Za-z]{2}$/.test(code) && countries.getCountry(code.toUpperCase()) !== null;
}

/** The IANA zone an address most likely lies in, or undefined for an unknown country. */
export function zoneFromAddress(address: PostalAddress): string | undefined {
  const cc = address.countryCode.toUpperCase();
  const country = countries.getCountry(cc);
  if (!country) return undefined;
  if (country.timezones.length === 1) return canonical(country.timezones[0]);
  const cities = cityTimezones.findFromIsoCode(cc).filter((c) => c.iso2 === cc);
  const byPop = (list: typeof cities) => [...list].sort((a, b) => b.pop - a.pop)[0];
  const province = address.province ? fold(address.province) : undefined;
  const inProvince = province ? cities.filter((c) => fold(c.province) === province || fold(c.state_ansi ?? '') === province) : [];
  const city = address.city ? fold(address.city) : undefined;
  const named = city
    ? (inProvince.length > 0 ? inProvince : cities).filter((c) => fold(c.city_ascii) === city || fold(c.city) === city)
    : [];
  return canonical(byPop(named)?.timezone ?? byPop(inProvince)?.timezone ?? byPop(cities)?.timezone ?? country.timezones[0]);
}

/** The most likely language of a country (ISO 639), or undefined. */
export function localeFromCountry(countryCode: string): string | undefined {
  if (!isKnownCountry(countryCode)) return undefined;
  try {
    const language = new Intl.Locale('und', { region: countryCode.toUpperCase() }).maximize().language;
    return language === 'und' ? undefined : language;
  } catch {
    return undefined;
  }
}

/**
 * The locale a browser asks for first (`Accept-Language`, RFC 9110 §12.5.4): the tag with the
 * highest `q` (ties: the first), `*` and `q=0` skipped, canonicalised by Intl (`pl-pl` → `pl-PL`).
 * Undefined when the header names no usable tag.
 */
export function localeFromAcceptLanguage(header: string): string | undefined {
  let best: { tag: string; q: number } | undefined;
  for (const part of header.slice(0, 1000).split(',')) {
    const [tag, ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!tag || tag === '*' || !Number.isFinite(q) || q <= 0 || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) continue;
    if (!best || q > best.q) best = { tag, q };
  }
  if (!best) return undefined;
  try {
    return Intl.getCanonicalLocales(best.tag)[0];
  } catch {
    return undefined;
  }
}
