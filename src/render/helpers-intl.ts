import type { HelperDelegate } from 'handlebars';
import { localeOf, rootOf, splitArgs, toNumber, zoneOf } from './helper-args';
import type { IntlCache } from './intl-cache';

/**
 * An amount in a currency, the way the contact's locale writes it (Intl.NumberFormat):
 * `{{money cart.total cart.currency}}` → "€129.00" (en), "129,00 €" (de), "129,00 €" (pl);
 * `{{money 49.9 "PLN"}}` → "49,90 zł" for a Polish contact. The currency defaults to the cart's;
 * `locale="de"` overrides the contact's. A missing or non-numeric amount renders empty;
 * an unknown currency code falls back to "129.00 XYZ".
 */
export const money =
  (intl: IntlCache): HelperDelegate =>
  (...args: unknown[]) => {
    const { params, options } = splitArgs(args);
    const amount = toNumber(params[0]);
    if (amount === undefined) return '';
    const currency = typeof params[1] === 'string' && params[1] ? params[1] : rootOf(options).cart?.currency;
    const locale = localeOf(options);
    if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency))
      return intl.number(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
    try {
      return intl.number(locale, { style: 'currency', currency: currency.toUpperCase() }).format(amount);
    } catch {
      return `${amount.toFixed(2)} ${currency}`;
    }
  };

const FORMATS: Record<string, Intl.DateTimeFormatOptions> = {
  short: { dateStyle: 'short' },
  medium: { dateStyle: 'medium' },
  long: { dateStyle: 'long' },
  full: { dateStyle: 'full' },
  time: { timeStyle: 'short' },
  datetime: { dateStyle: 'medium', timeStyle: 'short' },
};

/**
 * A moment as the contact reads it: in their time zone (`contact.timezone`, else UTC) and
 * locale. `{{date trigger.occurred_at}}` → "24.11.2026" (pl, short); `{{date order.at "long"}}`
 * → "24 listopada 2026"; `{{date checkout.at "time"}}` → "11:00" in Europe/Warsaw for 10:00Z.
 * Formats: short (default), medium, long, full, time, datetime. Accepts ISO strings, Dates and
 * epoch milliseconds; anything else renders empty.
 */
export const date =
  (intl: IntlCache): HelperDelegate =>
  (...args: unknown[]) => {
    const { params, options } = splitArgs(args);
    const [value, format] = params;
    const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
    if (!d || Number.isNaN(d.getTime()) || value === '') return '';
    const style = FORMATS[typeof format === 'string' ? format : 'short'] ?? FORMATS.short!;
    return intl.date(localeOf(options), { ...style, timeZone: zoneOf(options, intl) }).format(d);
  };
