import type { MergePolicy } from '../contacts/resolve';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createInterface } from 'node:readline';
import { type Context, Hono } from 'hono';
import { stream } from 'hono/streaming';
import { type ImportFormat, type ImportSummary, importContacts } from '../events/import/run';
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
  /** IMPORT_MAX_BYTES (default DEFAULT_IMPORT_MAX_BYTES). */
  maxBytes?: number;
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

/** One line of a streamed import answer (`accept: application/x-ndjson`). */
export type ImportStreamLine =
  | { progress: { rows: number; bytes: number } }
  | { written: { written: number; of: number } }
  | { problem: RowProblem }
  | { summary: ImportSummary }
  | { error: { code: string; message: string } };

/**
 * The handler of `POST /v1/contacts/import` (bearer API key) and `POST /v1/admin/contacts/import`
 * (admin key: `almanac import` through a running server). The body is the CSV (`content-type:
 * text/csv`) or NDJSON (`application/x-ndjson`) text of a contact list, read as a stream line by
 * line and written in batches exactly as `almanac import` on the database does
 * (src/events/import/run.ts). Query: `map=header=field,…`, `dry_run=true`, `trigger=true`
 * (imported contacts start `contact.created` journeys only then). No request deadline applies
 * (a large list takes minutes), and the body may be up to IMPORT_MAX_BYTES.
 *
 * The answer: by default 200 with the summary and the first 100 problems inline (`problems`;
 * `errors` counts the rows refused). With `accept: application/x-ndjson` it streams instead, one
 * JSON object per line: `{"progress":{rows,bytes}}` while the file is read, `{"problem":{line,
 * column,message}}` for every refused row, `{"written":{written,of}}` while contacts are written,
 * then `{"summary":…}` — or `{"error":…}` when the import stopped (a body over the limit:
 * nothing written, the file is staged whole first; a database failure while writing: the pages
 * before it are written, and running the same file again completes it — an import is idempotent).
 */
export function importHandler(deps: Omit<ContactImportRoutesDeps, 'apiKeys'>) {
  return async (c: Context) => {
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
    const limit = deps.maxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
    const declared = Number(c.req.header('content-length'));
    if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
    let bytes = 0;
    const body = c.req.raw.body;
    const input = (body ? Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>) : Readable.from([])).pipe(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done(bytes > limit ? tooLarge(limit) : null, chunk);
        },
      }),
    );
    const lines = createInterface({ input, crlfDelay: Infinity });
    // A body over the limit fails the stream: end the lines so the import stops, and say why.
    let failure: unknown;
    input.on('error', (err) => {
      failure = err;
      lines.close();
    });
    const run = (
      onProblem: (p: RowProblem) => void,
      onProgress?: (rows: number) => void,
      onWrite?: (written: number, of: number) => void,
    ) =>
      importContacts(deps.database, lines, {
        format,
        ...(map && { map }),
        dryRun: flag(c.req.query('dry_run')),
        trigger: flag(c.req.query('trigger')),
        now: (deps.now ?? (() => new Date()))(),
        ...(deps.mergePolicy && { mergePolicy: deps.mergePolicy }),
        ...(deps.suppressionKey && { suppressionKey: deps.suppressionKey }),
        onProblem,
        ...(onProgress && { onProgress }),
        ...(onWrite && { onWrite }),
      }).then((summary) => {
        if (failure) throw failure;
        return summary;
      });
    const done = () => {
      lines.close();
      input.destroy();
    };
    if ((c.req.header('accept') ?? '').includes('application/x-ndjson')) {
      c.header('content-type', 'application/x-ndjson; charset=utf-8');
      return stream(c, async (out) => {
        const line = (l: ImportStreamLine) => out.write(`${JSON.stringify(l)}\n`);
        try {
          const pending: Promise<unknown>[] = [];
          const summary = await run(
            (problem) => void pending.push(line({ problem })),
            (rows) => void pending.push(line({ progress: { rows, bytes } })),
            (written, of) => void pending.push(line({ written: { written, of } })),
          );
          await Promise.all(pending);
          await line({ summary });
        } catch (err) {
          const e = err instanceof AppError ? err : new AppError('internal', 'the import stopped: the database failed');
          await line({ error: { code: e.code, message: e.message } });
        } finally {
          done();
        }
      });
    }
    const problems: RowProblem[] = [];
    let problemCount = 0;
    try {
      const summary = await run((p) => {
        if (problemCount++ < INLINE_PROBLEMS) problems.push(p);
      });
      return c.json({ ...summary, problems, problems_truncated: problemCount > problems.length });
    } finally {
      done();
    }
  };
}

const tooLarge = (limit: number) =>
  new AppError(
    'payload_too_large',
    `the import body is larger than IMPORT_MAX_BYTES (${limit} bytes): split the file, or raise the limit`,
    {
      details: { limitBytes: limit },
    },
  );

/** 2 GiB: a list of a few million contacts. */
export const DEFAULT_IMPORT_MAX_BYTES = 2 * 1024 ** 3;

export function contactImportRoutes(deps: ContactImportRoutesDeps) {
  const app = new Hono();
  app.post('/v1/contacts/import', apiKey({ keys: deps.apiKeys }), importHandler(deps));
  return app;
}
