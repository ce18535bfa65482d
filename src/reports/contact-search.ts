import { identifiersForRef } from '../contacts/identifiers';
import { AppError } from '../errors';
import type { Database } from '../storage/db';
import { searchContactRows } from '../storage/contact-timeline';

/**
 * Contact search (`GET /v1/contacts?q=&limit=&after=`, the `/contacts` page): by email prefix
 * (any of the person's addresses), exact external id or any whole identifier (`shopify:…`, `phone:+…`), or first/last name prefix (the `first_name` / `last_name` attributes),
 * oldest contact first, a page at a time. `next` is the keyset cursor of the next page (pass it
 * as `after`), null on the last page.
 */
export const SEARCH_LIMIT_DEFAULT = 50;
export const SEARCH_LIMIT_MAX = 200;

export interface ContactSearchResult {
  q: string;
  contacts: Array<{
    contact_id: number;
    id: string | null;
    email: string | null;
    name: string | null;
    lifecycle_stage: string | null;
    created_at: string;
  }>;
  next: string | null;
}

/** `limit` and `after` as given in a query string; a bad one is a 400 naming it. */
export function searchParams(raw: { q?: string; limit?: string; after?: string }): { q: string; limit: number; after?: number } {
  const limit = raw.limit === undefined || raw.limit === '' ? SEARCH_LIMIT_DEFAULT : Number(raw.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMIT_MAX)
    throw new AppError('validation_failed', `limit: expected a whole number from 1 to ${SEARCH_LIMIT_MAX}`, {
      details: { field: 'limit' },
    });
  const after = raw.after === undefined || raw.after === '' ? undefined : Number(raw.after);
  if (after !== undefined && (!/^\d{1,15}$/.test(raw.after!) || !Number.isSafeInteger(after)))
    throw new AppError('validation_failed', 'after: expected the `next` cursor of the previous page', { details: { field: 'after' } });
  const q = raw.q ?? '';
  if (q.length > 320) throw new AppError('validation_failed', 'q: expected at most 320 characters', { details: { field: 'q' } });
  return { q, limit, ...(after === undefined ? {} : { after }) };
}

export async function searchContacts(database: Database, o: { q: string; limit: number; after?: number }): Promise<ContactSearchResult> {
  const rows = await database.db.transaction((tx) =>
    searchContactRows(tx, { ...o, identifiers: o.q.trim() === '' ? [] : identifiersForRef(o.q.trim()) }),
  );
  const page = rows.slice(0, o.limit);
  const name = (a: Record<string, unknown>) =>
    [a.first_name, a.last_name].filter((x): x is string => typeof x === 'string' && x !== '').join(' ') || null;
  return {
    q: o.q,
    contacts: page.map((c) => ({
      contact_id: c.id,
      id: c.externalId,
      email: c.email,
      name: name(c.attributes ?? {}),
      lifecycle_stage: c.lifecycleStage,
      created_at: c.createdAt.toISOString(),
    })),
    next: rows.length > o.limit ? String(page.at(-1)!.id) : null,
  };
}
