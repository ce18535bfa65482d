import { Hono, type Context } from 'hono';
import { AppError } from '../errors';
import { searchContacts, searchParams } from '../reports/contact-search';
import { contactTimeline } from '../reports/contact-timeline';
import type { Database } from '../storage/db';
import { calendarKey } from './calendar-auth';
import { contactListPage, contactPage } from './contact-page';
import { checkedContactId } from './contacts';
import { hasOddCharacters } from './events-input';
import { apiKey } from './middleware/api-key';

export interface ContactTimelineRouteDeps {
  database: Database;
  apiKeys: readonly string[];
  /** SUPPRESSION_KEY: the timeline finds the address's suppressions by its HMAC; absent → `suppressions: null`. */
  suppressionKey?: string;
}

/** Unknown contact: 404 naming it (as the other contact routes). */
export const noContact = (ref: string) =>
  new AppError('not_found', `no contact with external id or id "${ref}"`, { details: { contact: ref } });

/**
 * A contact's timeline and contact search (src/reports/contact-timeline.ts, ./contact-search.ts):
 * - `GET /v1/contacts/:id/timeline` → JSON, bearer API key. `:id` is the external id, or `#123`
 *   (URL-encoded `%23123`) for the numeric id; digits are the external id when one matches, else
 *   the numeric id. Unknown → 404.
 * - `GET /v1/contacts?q=&limit=&after=` → `{ q, contacts, next }`: email prefix, exact external
 *   id, first/last name prefix; `next` is the cursor to pass as `after`.
 * - `GET /contacts/:id`, `GET /contacts?q=` → the same as HTML pages (bearer key or `?key=`, like /analytics).
 */
export function contactTimelineRoutes(deps: ContactTimelineRouteDeps) {
  const app = new Hono();
  const auth = apiKey({ keys: deps.apiKeys });
  const page = calendarKey({ keys: deps.apiKeys });
  const opts = deps.suppressionKey === undefined ? {} : { suppressionKey: deps.suppressionKey };
  const timeline = async (c: Context) => {
    const ref = checkedContactId(c.req.param('id') ?? '');
    const t = await contactTimeline(deps.database, ref, opts);
    if (!t) throw noContact(ref);
    return t;
  };
  const search = (c: Context) => {
    const q = c.req.query('q');
    if (q !== undefined && hasOddCharacters(q))
      throw new AppError('validation_failed', 'q: expected text without NUL or lone surrogates', { details: { field: 'q' } });
    return searchContacts(deps.database, searchParams({ q, limit: c.req.query('limit'), after: c.req.query('after') }));
  };
  const linker = (c: Context) => {
    const key = c.req.query('key');
    return (path: string) => (key ? `${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}` : path);
  };
  app.get('/v1/contacts/:id/timeline', auth, async (c) => c.json(await timeline(c)));
  app.get('/v1/contacts', auth, async (c) => c.json(await search(c)));
  app.get('/contacts/:id', page, async (c) => c.html(contactPage(await timeline(c), linker(c))));
  app.get('/contacts', page, async (c) => c.html(contactListPage(await search(c), linker(c), c.req.query('key'))));
  return app;
}
