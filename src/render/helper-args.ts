import type { HelperOptions } from 'handlebars';
import type { IntlCache } from './intl-cache';
import type { RenderData } from './types';

/**
 * Handlebars passes a helper its parameters followed by an options object (hash, block
 * functions, `data.root`). These split them, and read the contact's locale and zone from the
 * root data, so `{{money cart.total cart.currency}}` formats for the contact without the
 * template saying how.
 */
export function splitArgs(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  return { params: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

export function rootOf(options: HelperOptions): Partial<RenderData> {
  const root = (options.data as { root?: unknown } | undefined)?.root;
  return typeof root === 'object' && root !== null ? (root as Partial<RenderData>) : {};
}

/** A BCP 47 tag Intl accepts (`pl_PL` → `pl-PL`), or `en` when absent or malformed. */
export function localeOf(options: HelperOptions): string {
  const asked = options.hash?.locale ?? rootOf(options).contact?.locale;
  return canonicalLocale(asked) ?? 'en';
}

export function canonicalLocale(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return Intl.getCanonicalLocales(value.replace(/_/g, '-'))[0];
  } catch {
    return undefined;
  }
}

/** An IANA zone Intl accepts, or UTC (checked through the helpers' formatter cache when given). */
export function zoneOf(options: HelperOptions, intl?: IntlCache): string {
  const asked = options.hash?.timezone ?? rootOf(options).contact?.timezone;
  if (typeof asked !== 'string' || asked === '') return 'UTC';
  try {
    if (intl) intl.date('en', { timeZone: asked });
    else new Intl.DateTimeFormat('en', { timeZone: asked });
    return asked;
  } catch {
    return 'UTC';
  }
}

/** A finite number from a number or a numeric string (prices arrive as "129.00" from numeric columns). */
export function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export const isMissing = (value: unknown): boolean => value === undefined || value === null || value === '';
