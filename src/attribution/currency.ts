/**
 * Reports in the shop's currency. Orders keep the currency they were placed in; a report shows
 * every currency apart and, when the operator names the shop's currency (`SHOP_CURRENCY`) and
 * fixed rates for the others (`CURRENCY_RATES=EUR=4.31,USD=3.97`: one EUR is 4.31 of the shop's
 * currency), also one total in the shop's currency. The rule is deliberately simple and stated
 * in every report: one fixed rate per currency, applied to every order whatever its date, rounded
 * to the shop currency's minor unit per amount. A currency with no rate is never converted and
 * never summed in: it stays in `unconverted`, in its own currency.
 */
import { fromMinor, toMinor } from './money';

export interface CurrencyRule {
  /** ISO 4217 code of the shop's currency, or null when the operator named none. */
  shop: string | null;
  /** 1 unit of the key = `rate` units of `shop`. The shop's own currency is 1 implicitly. */
  rates: Readonly<Record<string, number>>;
}

export const NO_SHOP_CURRENCY: CurrencyRule = { shop: null, rates: {} };

export interface Converted {
  currency: string;
  amount: number;
  /** The currencies that went into `amount` (the shop's and those with a rate), sorted. */
  converted: string[];
  /** What could not be converted (no rate), per currency, never summed with the rest. */
  unconverted: Array<{ currency: string; amount: number }>;
}

/** The rate of `currency` into the shop's currency, or undefined when there is none. */
export function rateOf(rule: CurrencyRule, currency: string): number | undefined {
  if (rule.shop === null) return undefined;
  return currency === rule.shop ? 1 : rule.rates[currency];
}

/**
 * `amounts` (any currencies, major units) as one amount in the shop's currency. Each amount is
 * converted and rounded to the shop's minor unit on its own, then summed in minor units, so the
 * total never drifts with the number of rows. Null when the rule names no shop currency.
 */
export function toShopCurrency(rule: CurrencyRule, amounts: ReadonlyArray<{ currency: string; amount: number }>): Converted | null {
  const shop = rule.shop;
  if (shop === null) return null;
  let minor = 0;
  const converted = new Set<string>();
  const unconverted = new Map<string, number>();
  for (const a of amounts) {
    const rate = rateOf(rule, a.currency);
    if (rate === undefined) {
      unconverted.set(a.currency, (unconverted.get(a.currency) ?? 0) + toMinor(a.amount, a.currency));
      continue;
    }
    converted.add(a.currency);
    minor += toMinor(a.amount * rate, shop);
  }
  return {
    currency: shop,
    amount: fromMinor(minor, shop),
    converted: [...converted].sort(),
    unconverted: [...unconverted]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, m]) => ({ currency, amount: fromMinor(m, currency) })),
  };
}

/** The rule in one sentence, for reports: what was converted how, and what was not. */
export function describeRule(rule: CurrencyRule): string {
  if (rule.shop === null) return 'No shop currency set (SHOP_CURRENCY): revenue is shown per currency and never summed across currencies.';
  const rates = Object.entries(rule.rates)
    .filter(([c]) => c !== rule.shop)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([c, r]) => `1 ${c} = ${r} ${rule.shop}`);
  return (
    `Totals in ${rule.shop}` +
    (rates.length ? ` at fixed rates from CURRENCY_RATES (${rates.join(', ')}), the same for every order date` : '') +
    `; orders in any other currency are shown apart, never converted or summed in.`
  );
}
