import { Hono } from 'hono';
import { contactJson } from '../contacts/json';
import { z } from 'zod';
import { contactFields, fieldErrors, guessed } from '../events/fields';
import { conflictWarning, mergeWarning, resolveContacts } from '../events/contacts';
import { defaultMergePolicy, type MergePolicy } from '../contacts/resolve';
import { IDENTIFIER_KINDS, parseIdentifier } from '../contacts/identifiers';
import { eraseContact } from '../consent/erase';
import { mergeIdOf, unmergeContacts } from '../contacts/unmerge';
import { exportContact } from '../consent/export';
import { AppError } from '../errors';
import { getContacts } from '../storage/contacts';
import type { Database } from '../storage/db';
import { hasOddCharacters, ODD_CHARACTER_MESSAGE, parseJson, refuseOddStrings, validationError } from './events-input';
import { apiKey } from './middleware/api-key';

const contactBody = z
  .strictObject(contactFields, {
    error: 'expected an object with email, timezone, locale, attributes, lifecycle_stage, address, identifiers, accept_language',
  })
  .partial();

export interface ContactRoutesDeps {
  database: Database;
  apiKeys: readonly string[];
  /** JSON_MAX_DEPTH (default DEFAULT_JSON_MAX_DEPTH). */
  jsonMaxDepth?: number;
  /** SUPPRESSION_KEY: export finds the address's suppressions by its HMAC, erasure writes one. Absent → those two routes answer 500 `config_invalid`. */
  suppressionKey?: string;
  /** The clock of erasures (`erased_at`, the suppression's time) and merges. */
  now?: () => Date;
  /** MERGE_ON_EMAIL, MERGE_SOURCES: a PUT is source `api`. */
  mergePolicy?: MergePolicy;
}

/** The `:id` of a contact route: at most 255 characters, no NUL or lone surrogate (400 naming `id`). */
export function checkedContactId(externalId: string): string {
  if (externalId.length > 255) throw validationError([{ path: 'id', message: 'expected at most 255 characters' }], 'contact');
  if (hasOddCharacters(externalId)) throw validationError([{ path: 'id', message: ODD_CHARACTER_MESSAGE }], 'contact');
  return externalId;
}

export const unknownContact = (externalId: string) =>
  new AppError('not_found', `no contact with external id "${externalId}"`, { details: { contact: externalId } });

function keyOf(deps: { suppressionKey?: string }): string {
  if (!deps.suppressionKey) throw new AppError('config_invalid', 'SUPPRESSION_KEY is not configured: GDPR export and erase need it');
  return deps.suppressionKey;
}

/**
 * `GET /v1/contacts/:id/export`: everything held about the contact with this external id, as JSON
 * (src/consent/export.ts; writes nothing). `DELETE /v1/contacts/:id`: GDPR erasure in one
 * transaction (src/consent/erase.ts): runs and waiting sends cancelled, the contact and what
 * cascades from it deleted, the address kept only as an `erased` suppression (its HMAC), an
 * erasure log row without personal data; answers the counts. Unknown id → 404 (so a second
 * erase of the same person is a 404: they are gone). `:id` is the application's id or a whole
 * identifier other than an email (`shopify:<shop>:<id>`, `phone:+…`: src/contacts/identifiers.ts gdprRef).
 *
 * `POST /v1/contact-merges/:id/revert`: undo a merge (src/contacts/unmerge.ts): the merged
 * contact back under its old id with what the merge moved. Unknown → 404, reverted before → 409.
 *
 * `PUT /v1/contacts/:id`: create or update the contact with this external id (or with this whole
 * identifier, such as `shopify:<shop>:<customer id>`). An event-like write: it may merge contacts. Attributes merge
 * into the stored ones (send `null` for a key to blank it); absent fields stay as they are. An
 * email that already belongs to another contact stays with it: the rest is stored and the answer
 * (200) carries an `email_conflict` warning, the same rule as for events (EmailConflict in
 * src/events/contacts.ts). A NUL or lone surrogate in the id or anywhere in the body, or a
 * `__proto__` key, is a 400 naming the field.
 */
export function contactRoutes(deps: ContactRoutesDeps) {
  const app = new Hono();
  app.put('/v1/contacts/:id', apiKey({ keys: deps.apiKeys }), async (c) => {
    const externalId = checkedContactId(c.req.param('id'));
    const text = await c.req.text();
    const json = text.trim() === '' ? {} : parseJson(text, { maxDepth: deps.jsonMaxDepth });
    refuseOddStrings(json, 'contact');
    const parsed = contactBody.safeParse(json, { reportInput: true });
    if (!parsed.success) throw validationError(fieldErrors(parsed.error), 'contact');
    const b = parsed.data;
    const { row, warnings } = await deps.database.db.transaction(async (tx) => {
      // `:id` is the application's id, or a whole identifier (`shopify:<shop>:<id>`, `email:…`).
      const whole = IDENTIFIER_KINDS.some((k) => externalId.startsWith(`${k}:`)) ? parseIdentifier(externalId) : undefined;
      if (whole && !whole.ok) throw validationError([{ path: 'id', message: whole.message }], 'contact');
      const named = [...(whole?.ok ? [whole.value] : []), ...(b.identifiers ?? [])];
      const upsert = {
        ...(whole ? {} : { externalId }),
        ...(named.length && { identifiers: named }),
        ...(b.email !== undefined && { email: b.email }),
        ...guessed(b),
        ...(b.attributes !== undefined && { attributes: b.attributes }),
        ...(b.lifecycle_stage !== undefined && { lifecycleStage: b.lifecycle_stage }),
      };
      const resolved = await resolveContacts(tx, [upsert], {
        policy: deps.mergePolicy ?? defaultMergePolicy(),
        source: 'api',
        now: (deps.now ?? (() => new Date()))(),
        ...(deps.suppressionKey && { suppressionKey: deps.suppressionKey }),
        describe: () => `PUT /v1/contacts/${externalId}`,
      });
      const [stored] = await getContacts(tx, resolved.ids);
      return {
        row: stored!,
        warnings: [
          ...resolved.conflicts.map((c) =>
            conflictWarning(c.identifier.startsWith('email:') && b.email !== undefined ? 'email' : 'identifiers', c),
          ),
          ...resolved.merges.map((m) => mergeWarning('id', m, m.names)),
        ],
      };
    });
    return c.json({ ...contactJson(row), ...(warnings.length ? { warnings } : {}) });
  });
  app.post('/v1/contact-merges/:id/revert', apiKey({ keys: deps.apiKeys }), async (c) =>
    c.json(await unmergeContacts(deps.database, mergeIdOf(c.req.param('id')), { by: 'api', now: (deps.now ?? (() => new Date()))() })),
  );
  app.get('/v1/contacts/:id/export', apiKey({ keys: deps.apiKeys }), async (c) => {
    const externalId = checkedContactId(c.req.param('id'));
    const data = await exportContact(deps.database, externalId, { suppressionKey: keyOf(deps) });
    if (!data) throw unknownContact(externalId);
    return c.json(data);
  });
  app.delete('/v1/contacts/:id', apiKey({ keys: deps.apiKeys }), async (c) => {
    const externalId = checkedContactId(c.req.param('id'));
    const now = (deps.now ?? (() => new Date()))();
    const report = await eraseContact(deps.database, externalId, { suppressionKey: keyOf(deps), source: 'api', now });
    if (!report) throw unknownContact(externalId);
    return c.json(report);
  });
  return app;
}
