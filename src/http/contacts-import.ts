import type { MergePolicy } from '../contacts/resolve';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createInterface } from 'node:readline';
import { Hono } from 'hono';
import { type ImportFormat, importContacts } from '../events/import/run';
import type { RowProblem } from '../events/import/rows';
import { AppError } from '../errors';
import type { Database } from '../storage/db';
import { apiKey } from './middleware/api-key';

/** The problems an import answer lists inline; `errors` counts them all. */
export const INLINE_PROBLEMS = 100;

export interface ContactImportRoutesDeps {
  database: Database;
  apiKeys: readonly string[];
  now?: () => Date;
  /** MERGE_ON_EMAIL, MERGE_SOURCES (src/contacts/resolve.ts); absent: the defaults. */
  mergePolicy?: MergePolicy;
  /** SUPPRESSION_KEY: a merge sees erased addresses by it. */
  suppressionKey?: string;
}

/** `E-mail=email,Customer ID=id` (the `map` query parameter, as the CLI's --map). */
function parseMap(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const pair of value.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.lastIndexOf('=');
    if (eq <= 0 || !pair.slice(0, eq).trim() || !pair.slice(eq + 1).trim()) {
      throw new AppError('validation_failed', `map: expected header=field pairs separated by commas, got "${pair}"`, {
        details: { errors: [{ path: 'map', message: 'expected header=field pairs' }] },
      });
    }
    map[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return map;
}

const flag = (v: string | undefined) => v === 'true' || v === '1';

/**
 * `POST /v1/contacts/import` (bearer API key): the body is the CSV (`content-type: text/csv`) or
 * NDJSON (`application/x-ndjson`) text of a contact list, read as a stream line by line and
 * written in batches exactly as `almanac import` does (src/events/import/run.ts). Query:
 * `map=header=field,…`, `dry_run=true`, `trigger=true` (imported contacts start `contact.created`
 * journeys only then). Answers 200 with the summary and the first 100 problems inline
 * (`problems`; `errors` counts the rows refused). The body is still bound by BODY_LIMIT_BYTES and
 * the request by REQUEST_DEADLINE_MS: import large files with the CLI.
 */
export function contactImportRoutes(deps: ContactImportRoutesDeps) {
  const app = new Hono();
  app.post('/v1/contacts/import', apiKey({ keys: deps.apiKeys }), async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const format: ImportFormat | undefined =
      type === 'text/csv' ? 'csv' : type === 'application/x-ndjson' || type === 'application/jsonl' ? 'ndjson' : undefined;
    if (!format) {
      throw new AppError('bad_request', 'expected content-type text/csv or application/x-ndjson', {
        status: 415,
        details: { contentType: type || null },
      });
    }
    const map = parseMap(c.req.query('map'));
    const body = c.req.raw.body;
    const input = body ? Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>) : Readable.from([]);
    const lines = createInterface({ input, crlfDelay: Infinity });
    const problems: RowProblem[] = [];
    let problemCount = 0;
    try {
      const summary = await importContacts(deps.database.db, lines, {
        format,
        ...(map && { map }),
        dryRun: flag(c.req.query('dry_run')),
        trigger: flag(c.req.query('trigger')),
        now: (deps.now ?? (() => new Date()))(),
        ...(deps.mergePolicy && { mergePolicy: deps.mergePolicy }),
        ...(deps.suppressionKey && { suppressionKey: deps.suppressionKey }),
        onProblem: (p) => {
          if (problemCount++ < INLINE_PROBLEMS) problems.push(p);
        },
      });
      return c.json({ ...summary, problems, problems_truncated: problemCount > problems.length });
    } finally {
      lines.close();
      input.destroy();
    }
  });
  return app;
}
