import type { HelperDelegate } from 'handlebars';

/**
 * Template helpers, registered on the renderer's own environment (never the global one).
 * The rendering issue adds `money`, `date`, `pluralize`, … here, one named export each.
 */

/**
 * `{{default contact.first_name "there"}}`: the value, or the fallback when it is missing or
 * empty, so a template never shows "undefined" or a dangling comma.
 */
export const defaultHelper: HelperDelegate = (...args: unknown[]) => {
  const [value, fallback] = args.length >= 3 ? args : [args[0], ''];
  return value === undefined || value === null || value === '' ? fallback : value;
};

export const helpers: Record<string, HelperDelegate> = {
  default: defaultHelper,
};
