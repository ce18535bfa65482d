import type { MergePolicy } from '../contacts/resolve';
import { Hono } from 'hono';
import { z } from 'zod';
import { fieldErrors } from '../events/fields';
import { parseEvent } from '../events/schema';
import type { FieldError } from '../events/types';
import type { Database } from '../storage/db';
import { idempotencyKey, ingestFromApi, orThrowFlat, parseJson, refuseOddStrings, validationError } from './events-input';
import { apiKey } from './middleware/api-key';

export interface ConsentRoutesDeps {
  database: Database;
  apiKeys: readonly string[];
  now: () => Date;
  jsonMaxDepth?: number;
  /** SUPPRESSION_KEY: a new `consent.granted` lifts the `erased` suppression of a GDPR erasure (src/events/ingest.ts). */
  suppressionKey?: string;
  /** MERGE_ON_EMAIL, MERGE_SOURCES (src/contacts/resolve.ts); absent: the defaults. */
  mergePolicy?: MergePolicy;
}

const evidence = z.string({ error: 'expected a string' }).min(1, { error: 'expected a non-empty string' }).max(10_000);
/** `null` says "not known" (an import, a phone call): the field must still be there, so nobody forgets it. */
const evidenceOrNull = z.union([evidence, z.null()], { error: 'expected a string, or null when it is not known' });

const consentBody = z.strictObject({
  id: z.unknown().optional(),
  contact: z.unknown(),
  purpose: z.unknown(),
  occurred_at: z.unknown().optional(),
  granted: z.boolean({ error: 'expected true (a grant) or false (a withdrawal)' }),
  source: evidence,
  text: evidenceOrNull.optional(),
  text_version: evidenceOrNull.optional(),
  ip: evidenceOrNull.optional(),
  user_agent: evidenceOrNull.optional(),
});

/** What a grant must say, beside `source`: an auditor asks "agreed to what, in which wording, from where?". */
const GRANT_EVIDENCE = ['text', 'text_version', 'ip', 'user_agent'] as const;

/**
 * `POST /v1/consent` (bearer API key): record a grant or a withdrawal with its evidence —
 * `{ contact: {id|email,…}, purpose, granted, source, text, text_version, ip, user_agent,
 * occurred_at?, id? }`. A grant must carry all of `text` (the exact wording agreed to),
 * `text_version`, `ip` and `user_agent` (each may be `null` when truly unknown, but not absent);
 * a withdrawal needs only `source`. Missing evidence → 400 naming every missing field, nothing
 * stored. Recorded as a `consent.granted` / `consent.withdrawn` event through the one ingestion
 * path (contact upsert, dedupe by `id` or `Idempotency-Key`, the ledger row in the same
 * transaction), so the timeline shows it and a retry records it once. Answers 202 like events.
 */
export function consentRoutes(deps: ConsentRoutesDeps) {
  const app = new Hono();
  app.post('/v1/consent', apiKey({ keys: deps.apiKeys }), async (c) => {
    const now = deps.now();
    const json = parseJson(await c.req.text(), { maxDepth: deps.jsonMaxDepth });
    refuseOddStrings(json, 'consent');
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw validationError([{ path: '(body)', message: 'expected an object with contact, purpose, granted and the evidence' }], 'consent');
    }
    const body = json as Record<string, unknown>;
    const parsed = consentBody.safeParse(body, { reportInput: true });
    const errors: FieldError[] = parsed.success ? [] : fieldErrors(parsed.error);
    if (parsed.success && parsed.data.granted) {
      for (const field of GRANT_EVIDENCE) {
        if (!(field in body)) errors.push({ path: field, message: 'required for a grant (null if it is truly not known)' });
      }
    }
    if (errors.length) throw validationError(errors, 'consent');
    const { granted, id, contact, occurred_at, purpose, ...rest } = body as Record<string, unknown> & { granted: boolean };
    const event = {
      ...(id === undefined ? {} : { id }),
      type: granted ? 'consent.granted' : 'consent.withdrawn',
      ...(occurred_at === undefined ? {} : { occurred_at }),
      contact,
      properties: { purpose, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)) },
    };
    const options = { now, idempotencyKey: idempotencyKey(c.req.header('idempotency-key')) };
    const events = orThrowFlat(parseEvent(event, options), 'consent');
    return c.json(await ingestFromApi(deps, events, now), 202);
  });
  return app;
}
