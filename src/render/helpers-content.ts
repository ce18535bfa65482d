import type { HelperDelegate } from 'handlebars';
import { rootOf, splitArgs, toNumber } from './helper-args';

/**
 * Up to `n` product recommendations for this contact (computed in SQL before rendering, see
 * src/storage/recommendations.ts; the helper only reads `recommendations` from the data):
 * `{{#recommend 3}}<li>{{title}} — {{money price currency}}</li>{{else}}<li>See the shop</li>{{/recommend}}`
 * The block sees each product (`product_id`, `title`, `price`, `currency`, `url`, `image`) with
 * `@index`, `@first` and `@last`; `{{else}}` renders when there is none. As a subexpression it
 * gives the list: `{{#each (recommend 2)}}…{{/each}}`.
 */
export const recommend: HelperDelegate = (...args: unknown[]) => {
  const { params, options } = splitArgs(args);
  const n = Math.max(0, Math.floor(toNumber(params[0]) ?? 3));
  const all = rootOf(options).recommendations;
  const items = Array.isArray(all) ? all.slice(0, n) : [];
  if (typeof options.fn !== 'function') return items;
  if (items.length === 0) return options.inverse(undefined);
  return items
    .map((item, index) => {
      const data = { ...(options.data as object), index, first: index === 0, last: index === items.length - 1 };
      return options.fn(item, { data });
    })
    .join('');
};

/**
 * `<a href="{{view_in_browser_url}}">View in your browser</a>`: the signed `GET /v/:token` link
 * of this send, prepared before rendering. Empty in previews, where there is no send yet.
 */
export const viewInBrowserUrl: HelperDelegate = (...args: unknown[]) => {
  const { options } = splitArgs(args);
  return rootOf(options).send?.view_in_browser_url ?? '';
};
