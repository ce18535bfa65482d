import type { HelperDelegate } from 'handlebars';
import { isMissing, localeOf, splitArgs, toNumber } from './helper-args';
import type { IntlCache } from './intl-cache';

/**
 * `{{default contact.first_name "there"}}` → "Ada", or "there" when the attribute is missing or
 * empty, so a template never shows "undefined" or a dangling comma.
 */
export const defaultHelper: HelperDelegate = (...args: unknown[]) => {
  const { params } = splitArgs(args);
  const [value, fallback = ''] = params;
  return isMissing(value) ? fallback : value;
};

const text = (value: unknown): string => (isMissing(value) ? '' : String(value));

/** `{{upper contact.city}}` → "WARSZAWA" (in the contact's locale, so Turkish `i` becomes `İ`). */
export const upper: HelperDelegate = (...args: unknown[]) => {
  const { params, options } = splitArgs(args);
  return text(params[0]).toLocaleUpperCase(localeOf(options));
};

/** `{{lower contact.email}}` → "ada@example.com". */
export const lower: HelperDelegate = (...args: unknown[]) => {
  const { params, options } = splitArgs(args);
  return text(params[0]).toLocaleLowerCase(localeOf(options));
};

/** `{{capitalize contact.first_name}}` → "Ada" for "ada"; the rest of the word is left alone. */
export const capitalize: HelperDelegate = (...args: unknown[]) => {
  const { params, options } = splitArgs(args);
  const s = text(params[0]);
  const first = [...s][0] ?? '';
  return first.toLocaleUpperCase(localeOf(options)) + s.slice(first.length);
};

const CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;

/**
 * The count with the right word form, by the contact's locale:
 * `{{pluralize cart.items.length "item" "items"}}` → "1 item" / "3 items";
 * Polish with every form, positionally in the order one, few, many (and other):
 * `{{pluralize n "produkt" "produkty" "produktów"}}` → "1 produkt", "3 produkty", "5 produktów";
 * or by name: `{{pluralize n one="produkt" few="produkty" many="produktów"}}`.
 * Two positional forms mean singular/plural in any locale (one vs everything else).
 * `words=false` leaves the count out: `{{pluralize n "item" "items" words=false}}` → "items".
 * A missing count reads as 0.
 */
export const pluralize =
  (intl: IntlCache): HelperDelegate =>
  (...args: unknown[]) => {
    const { params, options } = splitArgs(args);
    const [count, ...forms] = params;
    const n = toNumber(count) ?? 0;
    const locale = localeOf(options);
    const rules = intl.plural(locale);
    const named = new Map<string, string>();
    if (forms.length === 2 || forms.length === 1) {
      named.set('one', text(forms[0]));
      named.set('other', text(forms[1] ?? forms[0]));
    } else if (forms.length > 2) {
      const categories = CATEGORIES.filter((c) => c !== 'zero' && rules.resolvedOptions().pluralCategories.includes(c));
      forms.forEach((f, i) => categories[i] && named.set(categories[i]!, text(f)));
    }
    for (const c of CATEGORIES) if (typeof options.hash?.[c] === 'string') named.set(c, options.hash[c] as string);
    const category = forms.length === 2 ? (n === 1 ? 'one' : 'other') : rules.select(n);
    const word = named.get(category) ?? named.get('other') ?? named.get('many') ?? [...named.values()].pop() ?? '';
    if (options.hash?.words === false) return word;
    return `${intl.number(locale).format(n)} ${word}`.trim();
  };
