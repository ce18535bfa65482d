import type { HelperDelegate } from 'handlebars';
import { splitArgs, toNumber } from './helper-args';

/** Handlebars' own truthiness: an empty list is false, like in `{{#if}}`. */
const truthy = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : Boolean(v));

/**
 * `{{#if (eq contact.tier "gold")}}…{{/if}}`. Numbers and numeric strings compare by value, so
 * `(eq cart.items.length "1")` holds for one item.
 */
export const eq: HelperDelegate = (...args: unknown[]) => {
  const [a, b] = splitArgs(args).params;
  if (a === b) return true;
  const x = toNumber(a);
  const y = toNumber(b);
  return x !== undefined && y !== undefined && (typeof a === 'number' || typeof b === 'number') && x === y;
};

/** `{{#if (gt cart.total 100)}}Free shipping!{{/if}}`; anything non-numeric is not greater. */
export const gt: HelperDelegate = (...args: unknown[]) => {
  const [a, b] = splitArgs(args).params;
  const x = toNumber(a);
  const y = toNumber(b);
  return x !== undefined && y !== undefined && x > y;
};

/** `{{#if (and contact.first_name (gt cart.total 0))}}` — every argument truthy. */
export const and: HelperDelegate = (...args: unknown[]) => splitArgs(args).params.every(truthy);

/** `{{#if (or contact.vip (gt orders_count 5))}}` — any argument truthy. */
export const or: HelperDelegate = (...args: unknown[]) => splitArgs(args).params.some(truthy);
