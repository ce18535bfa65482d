import type { HelperDelegate } from 'handlebars';
import { recommend, viewInBrowserUrl } from './helpers-content';
import { date, money } from './helpers-intl';
import { and, eq, gt, or } from './helpers-logic';
import { capitalize, defaultHelper, lower, pluralize, upper } from './helpers-text';
import { createIntlCache } from './intl-cache';

export { defaultHelper };

/**
 * Every helper a template may call, registered on the renderer's own environment (never the
 * global one). Each is a plain named export with a usage example in its doc comment; all are
 * synchronous and pure: whatever needs the database (recommendations) or a secret (the
 * view-in-browser link) is prepared in the render data first. `almanac validate` reports a
 * call to any name not here nor in `builtinHelpers`.
 */
export function createHelpers(): Record<string, HelperDelegate> {
  // Per set of helpers (per renderer): the Intl formatters `money`, `date` and `pluralize` reuse.
  const intl = createIntlCache();
  return {
    default: defaultHelper,
    upper,
    lower,
    capitalize,
    pluralize: pluralize(intl),
    money: money(intl),
    date: date(intl),
    eq,
    gt,
    and,
    or,
    recommend,
    view_in_browser_url: viewInBrowserUrl,
  };
}

/** The names a template may call (`almanac validate` checks calls against them). */
export const HELPER_NAMES: readonly string[] = Object.keys(createHelpers());

/** Handlebars' own block and lookup helpers (`{{#each}}` gives `@index`, `@first`, `@last`). */
export const builtinHelpers = ['if', 'unless', 'each', 'with', 'lookup', 'log'] as const;
