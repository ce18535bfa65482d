/**
 * Property-based fuzzing of every public JSON(-ish) route, through the real Hono app on the run's
 * test database (PGlite, or PostgreSQL when DATABASE_URL is set).
 *
 * Covers: POST /v1/events, POST /v1/events/batch, PUT /v1/contacts/:id (id fuzzed too),
 * POST /webhooks/shopify (correctly signed; topics checkouts/create, checkouts/update,
 * orders/create and unmapped ones), POST /webhooks/ingest/:source (correctly signed Standard
 * Webhooks), and the query strings of GET /v1/calendar, GET /calendar, GET /calendar.ics,
 * GET /v1/outbox and GET /v1/templates/:name/preview. Bodies are mostly valid payloads with a few
 * mutations (a node replaced by a hostile value — NUL, lone surrogates, emoji, RTL, 1e308, -0,
 * integers beyond 2^53, out-of-range dates, bad zones, long strings — a key added such as
 * `__proto__`, deep or wide nesting spliced in), else arbitrary JSON; then maybe damaged as text
 * (truncated, invalid UTF-8 bytes, BOM, duplicate keys, trailing garbage, empty, over the limit).
 *
 * Every request must: answer < 500; answer an error as JSON `{ error: { code, message, details } }`
 * (HTML only when it asked for text/html); leave the row counts of every table the routes write
 * unchanged when answered 4xx (and on every GET); when answered 2xx, have stored what it answered.
 * No unhandled rejection may occur during the file.
 *
 * Run longer / reproduce:
 *   FUZZ_RUNS=2000 TZ=UTC npx vitest run tests/http/fuzz.test.ts          (runs per route, default 100)
 *   FUZZ_SEED=<seed printed at the start or in a failure> …               (same seed → same inputs)
 *   FUZZ_NO_SHRINK=1 …                                                    (stop at the first failure)
 *   FUZZ_TIME_LIMIT_MS=600000 …                                           (per-route time cap, default 60 s)
 * A failure message names the route, the exact body text (JSON-escaped) and a file under the OS
 * temp dir holding the body's exact bytes, with fast-check's seed and path.
 */
import { createHash, createHmac } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { createRenderer } from '../../src/render/renderer-files';
import { rowsOf } from '../../src/storage/sql-values';
import { backend, useTestDatabase } from '../helpers/db';
import { compileInline } from '../helpers/engine';
import {
  accept,
  body as makeBody,
  bodyOf,
  contentType,
  dateParam,
  enc,
  idempotencyKey,
  longNoise,
  nastyString,
  numberParam,
  queryOf,
  rawEscape,
  segment,
} from './fuzz/arbitraries';
import { hasOddString } from './fuzz/json';
import { batch, CONTACT_IDS, contactBody, EMAILS, event, SHOPIFY_TOPICS, shopifyPayload, TEMPLATES } from './fuzz/valid';
import { API_KEY, INGEST_SECRET, SHOPIFY_SECRET } from './ingest-app';

const t = useTestDatabase('http_fuzz');
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 0x7fffffff);
const SHRINK = !process.env.FUZZ_NO_SHRINK;
/** Per route: a run (shrinking included: 2 MB bodies shrink slowly) stops after this; a failure found stays a failure. */
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 60_000);
/** Receipt time: after the Shopify fixtures' latest timestamp, so valid deliveries are not future-dated. */
const NOW = new Date('2026-11-23T10:45:00Z');

type App = ReturnType<typeof createApp>;
let app: App;
const logged: string[] = [];
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

/** The tables a route may write: a 4xx (and any GET) must leave all of them as they were. */
const TABLES = [
  'events',
  'contacts',
  'consent_records',
  'orders',
  'webhook_receipts',
  'trigger_skips',
  'runs',
  'sends',
  'outbox_messages',
  'suppressions',
  'segment_memberships',
] as const;
type Counts = Record<(typeof TABLES)[number], number>;

async function counts(): Promise<Counts> {
  const r = await t.database.db.execute(
    sql.raw(`select ${TABLES.map((name) => `(select count(*) from ${name})::int as ${name}`).join(', ')}`),
  );
  return rowsOf<Counts>(r)[0]!;
}

const query = async <T>(text: ReturnType<typeof sql>) => rowsOf<T>(await t.database.db.execute(text));

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  console.log(`fuzz on ${backend}: seed ${SEED}, ${RUNS} runs per route (FUZZ_SEED / FUZZ_RUNS to change)`);
  // The sample campaigns, so the calendar has broadcasts and template previews find their campaign.
  const files: Record<string, string> = {};
  for (const name of readdirSync('campaigns').filter((f) => f.endsWith('.yaml'))) {
    files[`campaigns/${name}`] = readFileSync(`campaigns/${name}`, 'utf8');
  }
  await applyProject(t.database, compileInline(files, readdirSync('templates')), new Date('2026-11-01T00:00:00Z'));
  app = createApp({
    database: t.database,
    metrics: new Metrics(),
    bodyLimitBytes: 2 * 1024 * 1024,
    log: (m, err) =>
      logged.push(
        `${m}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\ncause: ${String((err as { cause?: unknown } | undefined)?.cause)}`.slice(
          0,
          4000,
        ),
      ),
    apiKeys: [API_KEY],
    shopifySecret: SHOPIFY_SECRET,
    ingestSecrets: { crm: INGEST_SECRET },
    now: () => NOW,
    messages: {
      renderer: createRenderer({ templatesDir: 'templates' }),
      linkSigningKey: 'fuzz-link-key-0123456789',
      publicUrl: 'https://mail.shop.example',
      from: 'Shop <news@shop.example>',
    },
  });
});

/** Status codes seen per route, printed at the end: how far the inputs got. */
const seen = new Map<string, Map<string, number>>();
function tally(route: string, res: Answer) {
  const code = res.status < 300 ? String(res.status) : `${res.status} ${/"code":"(\w+)"/.exec(res.text)?.[1] ?? res.type.split(';')[0]}`;
  const of = seen.get(route) ?? new Map<string, number>();
  of.set(code, (of.get(code) ?? 0) + 1);
  seen.set(route, of);
}

afterAll(() => {
  process.off('unhandledRejection', onRejection);
  const lines = [...seen].map(
    ([route, of]) =>
      `  ${route}: ${[...of]
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c} ×${n}`)
        .join(', ')}`,
  );
  console.log(`fuzz on ${backend}, seed ${SEED}: answers per route\n${lines.join('\n')}`);
});

// ---- sending and checking ---------------------------------------------------------------------

interface Sent {
  route: string;
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  how?: string;
}

interface Answer {
  status: number;
  type: string;
  text: string;
  before: Counts;
  after: Counts;
  logs: string[];
}

const decode = (b: Buffer) => new TextDecoder().decode(b);

/** A reproducible account of a request: route, headers, exact body (JSON-escaped), and a file with its bytes. */
function describeRequest(req: Sent, res: Answer, reason: string): string {
  let bodyLine = '(no body)';
  if (req.body) {
    const file = join(tmpdir(), `almanac-fuzz-${createHash('sha256').update(req.body).digest('hex').slice(0, 16)}.body`);
    writeFileSync(file, req.body);
    const text = decode(req.body);
    const shown = text.length > 3000 ? `${JSON.stringify(text.slice(0, 3000))} … (${text.length} chars)` : JSON.stringify(text);
    bodyLine = `body (${req.how}; ${req.body.length} bytes, exact bytes in ${file}): ${shown}`;
  }
  return [
    `${reason}`,
    `seed ${SEED} on ${backend}: ${req.method} ${req.url.length > 500 ? `${req.url.slice(0, 500)}…` : req.url}`,
    `headers: ${JSON.stringify(req.headers)}`,
    bodyLine,
    `answer ${res.status} ${res.type}: ${res.text.slice(0, 1500)}`,
    ...(res.logs.length ? [`server log:\n${res.logs.join('\n')}`] : []),
  ].join('\n');
}

class FuzzFailure extends Error {
  override name = 'FuzzFailure';
}

function must(ok: boolean, req: Sent, res: Answer, reason: string): asserts ok {
  if (!ok) throw new FuzzFailure(describeRequest(req, res, reason));
}

async function send(req: Sent): Promise<Answer> {
  const before = await counts();
  logged.length = 0;
  const res = await app.request(req.url, {
    method: req.method,
    headers: req.headers,
    ...(req.body === undefined ? {} : { body: req.body }),
  });
  const text = await res.text();
  const after = await counts();
  tally(req.route, { status: res.status, type: res.headers.get('content-type') ?? '', text } as Answer);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, before, after, logs: [...logged] };
}

const sameCounts = (a: Counts, b: Counts) => TABLES.every((name) => a[name] === b[name]);
const delta = (res: Answer, name: (typeof TABLES)[number]) => res.after[name] - res.before[name];

/** The checks every request gets; returns the parsed JSON of a 2xx JSON answer. */
function checkCommon(req: Sent, res: Answer): unknown {
  must(res.status < 500, req, res, `5xx answer`);
  must(res.logs.length === 0, req, res, 'the server logged an unhandled error');
  if (res.status >= 400) {
    const asked = (req.headers.accept ?? '').includes('text/html');
    if (res.type.includes('text/html')) {
      must(asked, req, res, 'an HTML error page for a request that did not ask for text/html');
    } else {
      must(res.type.includes('application/json'), req, res, 'an error that is not JSON');
      let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } = {};
      try {
        body = JSON.parse(res.text) as typeof body;
      } catch {
        must(false, req, res, 'an error body that does not parse as JSON');
      }
      const e = body.error;
      must(
        typeof e === 'object' &&
          e !== null &&
          typeof e.code === 'string' &&
          typeof e.message === 'string' &&
          typeof e.details === 'object' &&
          e.details !== null,
        req,
        res,
        'an error body not of the shape { error: { code, message, details } }',
      );
    }
    must(sameCounts(res.before, res.after), req, res, `half-written: a ${res.status} changed row counts ${diff(res)}`);
    return undefined;
  }
  if (req.method === 'GET') must(sameCounts(res.before, res.after), req, res, `a GET changed row counts ${diff(res)}`);
  if (!res.type.includes('application/json')) return undefined;
  try {
    return JSON.parse(res.text);
  } catch {
    must(false, req, res, 'a 2xx JSON answer that does not parse');
  }
}

function diff(res: Answer): string {
  return JSON.stringify(
    Object.fromEntries(TABLES.filter((n) => res.before[n] !== res.after[n]).map((n) => [n, [res.before[n], res.after[n]]])),
  );
}

interface IngestAnswer {
  accepted: number;
  duplicates: number;
  events: Array<{ index: number; id: string; eventId: number; duplicate: boolean }>;
  duplicate?: boolean;
  ignored?: boolean;
}

/** A 2xx from an ingestion route: the events it answered are stored, under their ids, and as many as it says. */
async function checkIngested(req: Sent, res: Answer, body: IngestAnswer, source: string, odd: 'every' | 'some' | 'none') {
  must(Number.isInteger(body.accepted) && Array.isArray(body.events), req, res, 'a 2xx without accepted/events');
  must(delta(res, 'events') === body.accepted, req, res, `answered accepted ${body.accepted} but events grew by ${delta(res, 'events')}`);
  must(body.accepted + body.duplicates === body.events.length, req, res, 'accepted + duplicates is not the number of events answered');
  if (body.events.length === 0) return;
  const ids = body.events.map((e) => e.eventId);
  const rows = await query<{ id: number; dedupe_key: string; source: string; properties: Record<string, unknown> }>(
    sql`select id::int as id, dedupe_key, source, properties from events where id in ${sql.raw(`(${ids.map(Number).join(',')})`)}`,
  );
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const fresh: Array<Record<string, unknown>> = [];
  for (const e of body.events) {
    const row = byId.get(Number(e.eventId));
    must(row !== undefined, req, res, `answered event ${e.eventId} (${e.id}) is not stored`);
    must(row.dedupe_key === e.id, req, res, `event ${e.eventId} is stored under ${row.dedupe_key}, answered ${e.id}`);
    if (!e.duplicate) {
      must(row.source === source, req, res, `event ${e.eventId} stored with source ${row.source}, expected ${source}`);
      fresh.push(row.properties);
    }
  }
  if (odd !== 'none' && fresh.length === body.events.length) {
    const marked = fresh.filter((p) => Array.isArray(p._replaced) && p._replaced.length > 0).length;
    must(
      odd === 'every' ? marked === fresh.length : marked > 0,
      req,
      res,
      'a NUL or lone surrogate was accepted without _replaced on the event',
    );
  }
}

const fuzz = <T>(arb: fc.Arbitrary<T>, run: (value: T) => Promise<void>) =>
  fc.assert(fc.asyncProperty(arb, run), {
    numRuns: RUNS,
    seed: SEED,
    endOnFailure: !SHRINK,
    interruptAfterTimeLimit: TIME_LIMIT_MS,
    markInterruptAsFailure: false,
  });

// ---- headers -------------------------------------------------------------------------------------

const auth = fc.oneof(
  { arbitrary: fc.constant(`Bearer ${API_KEY}`), weight: 20 },
  fc.constantFrom(undefined, 'Bearer nope', `bearer ${API_KEY}`, API_KEY, 'Bearer ', `Bearer ${API_KEY} x`),
);
function headersOf(h: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
const jsonHeaders = fc
  .record({ authorization: auth, 'content-type': contentType, accept, 'idempotency-key': idempotencyKey })
  .map(headersOf);

let delivery = 0;
/** The delivery id header: fresh mostly; else a replay, missing, or odd (long, spaces, punctuation). */
const webhookIdKind = fc.oneof(
  { arbitrary: fc.constant('fresh'), weight: 12 },
  fc.constantFrom('replay', 'missing'),
  fc
    .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 1, maxLength: 40 })
    .map((s) => `odd:${s} x!"#`),
  longNoise(256, 9000).map((s) => `odd:${s}`),
);
const webhookIdOf = (kind: string, prefix: string) =>
  kind === 'replay' ? `${prefix}-replayed` : kind.startsWith('odd:') ? kind.slice(4) : `${prefix}-${++delivery}`;
const emptyBody = makeBody('empty', Buffer.alloc(0));

// ---- the routes --------------------------------------------------------------------------------

describe(`fuzzing the JSON routes on ${backend}`, () => {
  it('POST /v1/events', { timeout: 600_000 }, async () => {
    await fuzz(fc.tuple(bodyOf(event()), jsonHeaders), async ([body, headers]) => {
      const req: Sent = { route: 'POST /v1/events', method: 'POST', url: '/v1/events', headers, body: body.bytes, how: body.how };
      const res = await send(req);
      const json = checkCommon(req, res) as IngestAnswer | undefined;
      if (res.status < 300) {
        must(res.status === 202 && json !== undefined, req, res, 'expected 202 JSON');
        await checkIngested(req, res, json, 'api', 'none');
      }
    });
  });

  it('POST /v1/events/batch', { timeout: 600_000 }, async () => {
    await fuzz(fc.tuple(bodyOf(batch()), jsonHeaders), async ([body, headers]) => {
      const req: Sent = {
        route: 'POST /v1/events/batch',
        method: 'POST',
        url: '/v1/events/batch',
        headers,
        body: body.bytes,
        how: body.how,
      };
      const res = await send(req);
      const json = checkCommon(req, res) as IngestAnswer | undefined;
      if (res.status < 300) {
        must(res.status === 202 && json !== undefined, req, res, 'expected 202 JSON');
        await checkIngested(req, res, json, 'api', 'none');
      }
    });
  });

  it('PUT /v1/contacts/:id', { timeout: 600_000 }, async () => {
    const body = fc.oneof({ arbitrary: bodyOf(contactBody), weight: 9 }, fc.constant(emptyBody));
    await fuzz(fc.tuple(segment(CONTACT_IDS), body, jsonHeaders), async ([id, b, headers]) => {
      const url = `/v1/contacts/${id}`;
      const req: Sent = { route: 'PUT /v1/contacts/:id', method: 'PUT', url, headers, body: b.bytes, how: b.how };
      const res = await send(req);
      const json = checkCommon(req, res) as Record<string, unknown> | undefined;
      if (res.status < 300) {
        must(res.status === 200 && json !== undefined, req, res, 'expected 200 JSON');
        // One contact more (created), as many (updated), or one fewer: the id joined the contact holding the email (a merge, said in a warning).
        const merged = Array.isArray(json.warnings) && json.warnings.some((w) => (w as { code?: string }).code === 'contacts_merged');
        must(
          delta(res, 'events') === 0 && (merged ? [-1] : [0, 1]).includes(delta(res, 'contacts')),
          req,
          res,
          `unexpected writes ${diff(res)}`,
        );
        const [row] = await query<{ external_id: string; email: string | null; timezone: string | null; locale: string | null }>(
          sql`select external_id, email, timezone, locale from contacts where id = ${Number(json.contact_id)}`,
        );
        must(row !== undefined, req, res, `answered contact ${String(json.contact_id)} is not stored`);
        must(
          row.external_id === json.id && row.email === json.email && row.timezone === json.timezone && row.locale === json.locale,
          req,
          res,
          `stored contact differs from the answer: ${JSON.stringify(row)}`,
        );
      }
    });
  });

  it('POST /webhooks/shopify (signed)', { timeout: 600_000 }, async () => {
    const topic = fc.oneof(
      { arbitrary: fc.constantFrom(...SHOPIFY_TOPICS.slice(0, 3)), weight: 8 },
      fc.constantFrom(...SHOPIFY_TOPICS.slice(3)),
    );
    const valid = fc
      .tuple(topic, fc.nat(), fc.boolean())
      .chain(([tp, n, large]) => bodyOf(fc.constant(shopifyPayload(tp, n, large))).map((b) => ({ topic: tp, ...b })));
    await fuzz(fc.tuple(valid, webhookIdKind, contentType, accept), async ([b, idKind, ct, acc]) => {
      const id = webhookIdOf(idKind, 'wh-fz');
      const headers = headersOf({
        'content-type': ct,
        accept: acc,
        'x-shopify-topic': b.topic,
        'x-shopify-webhook-id': idKind === 'missing' ? undefined : id,
        'x-shopify-shop-domain': 'almanac-demo.myshopify.com',
        'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(b.bytes).digest('base64'),
      });
      const req: Sent = {
        route: 'POST /webhooks/shopify',
        method: 'POST',
        url: '/webhooks/shopify',
        headers,
        body: b.bytes,
        how: `${b.how}, topic ${b.topic}`,
      };
      const res = await send(req);
      const json = checkCommon(req, res) as IngestAnswer | undefined;
      if (res.status < 300) await checkWebhook(req, res, json, 'shopify', hasOddString(decode(b.bytes)) ? 'every' : 'none');
    });
  });

  it('POST /webhooks/ingest/:source (signed)', { timeout: 600_000 }, async () => {
    const body = fc.oneof(bodyOf(event({ withId: 'sometimes' })), bodyOf(batch({ withId: 'sometimes' })));
    const source = fc.oneof(
      { arbitrary: fc.constant('crm'), weight: 20 },
      fc.constantFrom('erp', '__proto__', 'constructor', 'CRM', '%00', enc('\ud800')),
    );
    await fuzz(fc.tuple(body, source, webhookIdKind, contentType, accept), async ([b, src, idKind, ct, acc]) => {
      const id = webhookIdOf(idKind, 'msg-fz') ?? '';
      const timestamp = String(Math.floor(NOW.getTime() / 1000));
      const key = Buffer.from(INGEST_SECRET.slice('whsec_'.length), 'base64');
      const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(b.bytes).digest('base64');
      const headers = headersOf({
        'content-type': ct,
        accept: acc,
        'webhook-id': idKind === 'missing' ? undefined : id,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${signature}`,
      });
      const req: Sent = {
        route: 'POST /webhooks/ingest/:source',
        method: 'POST',
        url: `/webhooks/ingest/${src}`,
        headers,
        body: b.bytes,
        how: b.how,
      };
      const res = await send(req);
      const json = checkCommon(req, res) as IngestAnswer | undefined;
      if (res.status < 300) await checkWebhook(req, res, json, 'crm', hasOddString(decode(b.bytes)) ? 'some' : 'none');
    });
  });

  async function checkWebhook(req: Sent, res: Answer, json: IngestAnswer | undefined, source: string, odd: 'every' | 'some' | 'none') {
    must(res.status === 200 && json !== undefined, req, res, 'expected 200 JSON');
    if (json.duplicate === true) {
      must(sameCounts(res.before, res.after), req, res, `a replay changed row counts ${diff(res)}`);
      return;
    }
    must(delta(res, 'webhook_receipts') === 1, req, res, `a delivery answered 200 without exactly one receipt ${diff(res)}`);
    if (json.ignored === true) {
      must(delta(res, 'events') === 0 && delta(res, 'contacts') === 0, req, res, `an ignored delivery stored events ${diff(res)}`);
      return;
    }
    await checkIngested(req, res, json, source, odd);
  }
});

describe(`fuzzing the query strings on ${backend}`, () => {
  const get = async (route: string, url: string, headers: Record<string, string>) => {
    const req: Sent = { route, method: 'GET', url, headers };
    const res = await send(req);
    return { req, res, json: checkCommon(req, res) };
  };
  const bearer = fc.oneof({ arbitrary: fc.constant({ authorization: `Bearer ${API_KEY}` }), weight: 10 }, fc.constant({}));

  it('GET /v1/calendar', { timeout: 600_000 }, async () => {
    await fuzz(
      fc.tuple(
        queryOf(['from', 'to'], dateParam, [
          'from=2026-11-01&to=2026-11-30',
          'from=2026-01-01&to=2027-01-01',
          'from=2026-11-23&to=2026-11-23',
        ]),
        bearer,
        accept,
      ),
      async ([q, auth, acc]) => {
        const { req, res, json } = await get('GET /v1/calendar', `/v1/calendar${q}`, headersOf({ ...auth, accept: acc }));
        if (res.status < 300) must(json !== undefined && typeof json === 'object', req, res, 'expected a JSON calendar');
      },
    );
  });

  it('GET /calendar', { timeout: 600_000 }, async () => {
    const key = fc.oneof(
      { arbitrary: fc.constant(`key=${API_KEY}&`), weight: 6 },
      fc.constant(''),
      nastyString.map((s) => `key=${enc(s)}&`),
      rawEscape.map((r) => `key=${r}&`),
    );
    await fuzz(
      fc.tuple(key, queryOf(['month', 'key'], dateParam, ['month=2026-11', 'month=2026-02']), bearer, accept),
      async ([k, q, auth, acc]) => {
        const url = `/calendar${q === '' ? `?${k}` : `?${k}${q.slice(1)}`}`;
        const { req, res } = await get('GET /calendar', url, headersOf({ ...(k ? {} : auth), accept: acc }));
        if (res.status < 300) must(res.type.includes('text/html') && res.text.includes('<'), req, res, 'expected an HTML month page');
      },
    );
  });

  it('GET /calendar.ics', { timeout: 600_000 }, async () => {
    await fuzz(
      fc.tuple(queryOf(['from', 'to', 'key'], dateParam, ['from=2026-11-01&to=2026-12-31']), bearer, accept),
      async ([q, auth, acc]) => {
        const { req, res } = await get('GET /calendar.ics', `/calendar.ics${q}`, headersOf({ ...auth, accept: acc }));
        if (res.status < 300) must(res.text.startsWith('BEGIN:VCALENDAR'), req, res, 'expected an iCalendar feed');
      },
    );
  });

  it('GET /v1/outbox', { timeout: 600_000 }, async () => {
    await fuzz(fc.tuple(queryOf(['limit'], numberParam, ['limit=5']), bearer, accept), async ([q, auth, acc]) => {
      const { req, res, json } = await get('GET /v1/outbox', `/v1/outbox${q}`, headersOf({ ...auth, accept: acc }));
      if (res.status < 300) must(Array.isArray((json as { messages?: unknown }).messages), req, res, 'expected { messages: [...] }');
    });
  });

  it('GET /v1/templates/:name/preview', { timeout: 600_000 }, async () => {
    const contact = fc.oneof(
      { arbitrary: fc.constantFrom(...CONTACT_IDS, ...EMAILS), weight: 4 },
      nastyString.filter((s) => s.length < 2000),
    );
    const trigger = fc.constantFrom('checkout.started', 'order.created', 'page.viewed', '', '__proto__', 'x'.repeat(300));
    const value = fc.oneof(contact, trigger);
    await fuzz(
      fc.tuple(
        segment(TEMPLATES),
        queryOf(['contact', 'trigger'], value, ['contact=ada%40example.com', 'contact=c-1&trigger=checkout.started']),
        bearer,
        accept,
      ),
      async ([name, q, auth, acc]) => {
        const { req, res, json } = await get(
          'GET /v1/templates/:name/preview',
          `/v1/templates/${name}/preview${q}`,
          headersOf({ ...auth, accept: acc }),
        );
        if (res.status < 300) must(typeof (json as { html?: unknown }).html === 'string', req, res, 'expected a rendered preview');
      },
    );
  });
});

describe(`after fuzzing on ${backend}`, () => {
  it('saw no unhandled rejection', () => {
    expect(rejections.map((r) => (r instanceof Error ? (r.stack ?? r.message) : String(r)))).toEqual([]);
  });
});
