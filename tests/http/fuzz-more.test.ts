/**
 * The fuzz test of tests/http/fuzz.test.ts for the routes added after it: the admin API the CLI
 * uses (`POST /v1/admin/plan|apply` with mutated project sources, `GET /v1/admin/calendar` and
 * `preview-subject` with fuzzed parameters), `POST /webhooks/ses` (arbitrary bodies, and SNS
 * documents correctly signed with the test certificate whose SES `Message` is mutated or
 * arbitrary: past the signature, into the notification parser), and the form routes
 * `/u/:token` and `/preferences/:token` (fuzzed tokens and form bodies). The same promises: no
 * 5xx, no unhandled error logged, errors in the one shape, and a 4xx or a GET leaves every table
 * as it was. FUZZ_RUNS / FUZZ_SEED as there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { signPreferencesToken } from '../../src/consent/preferences-token';
import { signUnsubscribeToken } from '../../src/consent/unsubscribe-token';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { createLogger } from '../../src/lib/log';
import { createTrackingRecorder } from '../../src/tracking/recorder';
import { createRenderer } from '../../src/render/renderer-files';
import { rowsOf } from '../../src/storage/sql-values';
import { backend, useTestDatabase } from '../helpers/db';
import { compileInline } from '../helpers/engine';
import { bounce, complaint, newCacheDir, notification, post, TOPIC } from '../sending/ses-feedback/support';
import { anyJson, bodyOf, enc, nastyString, segment } from './fuzz/arbitraries';
import type { Json } from './fuzz/json';
import { queueOne } from '../scheduler/dispatch/fixtures';
import type { SesFeedbackDeps } from '../../src/http/webhooks-ses';
import { cachedSnsCertificates } from '../../src/sending/sns-certificates';
import type { SnsHttp } from '../../src/sending/feedback/ports';
import { CERT_PEM, CERT_URL } from '../sending/ses-feedback/support';

const t = useTestDatabase('http_fuzz_more');
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 0x7fffffff);
const ADMIN_KEY = 'fuzz-admin-key-0123456789';
const LINK_KEY = 'fuzz-more-link-key-0123456789';
const NOW = new Date('2026-11-24T10:00:00Z');
const TABLES = [
  'events',
  'contacts',
  'consent_records',
  'campaign_versions',
  'runs',
  'sends',
  'suppressions',
  'webhook_receipts',
  'orders',
  'links',
  'clicks',
  'attributions',
] as const;
const API_KEY = 'fuzz-more-api-key-0123456789';

let app: ReturnType<typeof createApp>;
const logged: string[] = [];
const outbound: string[] = [];
const rejections: unknown[] = [];
let tokens: { unsubscribe: string; preferences: string } = { unsubscribe: '', preferences: '' };
const files: Array<{ path: string; text: string }> = [];

async function counts(): Promise<Record<string, number>> {
  const r = await t.database.db.execute(sql.raw(`select ${TABLES.map((n) => `(select count(*) from ${n})::int as ${n}`).join(', ')}`));
  return rowsOf<Record<string, number>>(r)[0]!;
}

beforeAll(async () => {
  process.on('unhandledRejection', (r) => rejections.push(r));
  console.log(`fuzz-more on ${backend}: seed ${SEED}, ${RUNS} runs per route`);
  for (const name of readdirSync('campaigns').filter((f) => f.endsWith('.yaml'))) {
    files.push({ path: `campaigns/${name}`, text: readFileSync(`campaigns/${name}`, 'utf8') });
  }
  await applyProject(t.database, compileInline(Object.fromEntries(files.map((f) => [f.path, f.text])), readdirSync('templates')), NOW);
  const queued = await queueOne(t.database, { notBefore: NOW, email: 'fuzz@example.com', campaign: 'fuzz-queued' });
  tokens = {
    unsubscribe: signUnsubscribeToken({ sendId: queued.sendId, contactId: queued.contactId, purpose: 'email.marketing' }, LINK_KEY),
    preferences: signPreferencesToken(queued.contactId, LINK_KEY),
  };
  const http: SnsHttp = {
    async get(url) {
      outbound.push(url.href);
      return url.href === CERT_URL ? { status: 200, body: CERT_PEM } : { status: 200, body: '<ok/>' };
    },
  };
  const sesFeedback: SesFeedbackDeps = {
    trust: { topicArns: [TOPIC], certificates: cachedSnsCertificates({ dir: newCacheDir(), http }) },
    http,
    suppressionKey: 'fuzz-suppression-key',
    transientBounces: { limit: 3, windowMs: 7 * 86_400_000 },
  };
  app = createApp({
    database: t.database,
    metrics: new Metrics(),
    bodyLimitBytes: 1024 * 1024,
    log: (m, err) => logged.push(`${m}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`.slice(0, 4000)),
    adminKeys: [ADMIN_KEY],
    apiKeys: [API_KEY],
    tracking: createTrackingRecorder({
      database: t.database,
      ipKey: LINK_KEY,
      metrics: new Metrics(),
      log: createLogger('silent'),
      flushDelayMs: 0,
    }),
    sesFeedback,
    now: () => NOW,
    messages: {
      renderer: createRenderer({ templatesDir: 'templates' }),
      linkSigningKey: LINK_KEY,
      publicUrl: 'https://shop.example',
      from: 'Shop <s@shop.example>',
    },
  });
});

async function check(route: string, url: string, init: RequestInit): Promise<number> {
  const before = await counts();
  logged.length = 0;
  const res = await app.request(url, init);
  const text = await res.text();
  const after = await counts();
  const where = `${route}: ${init.method ?? 'GET'} ${url.slice(0, 300)}\nbody: ${String(init.body ?? '').slice(0, 2000)}\nanswer ${res.status}: ${text.slice(0, 500)}\nseed ${SEED}`;
  expect(res.status, where).toBeLessThan(500);
  expect(logged, where).toEqual([]);
  if (res.status >= 400) {
    const type = res.headers.get('content-type') ?? '';
    if (!type.includes('text/html')) {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
      expect(
        typeof body.error?.code === 'string' && typeof body.error.message === 'string' && typeof body.error.details === 'object',
        where,
      ).toBe(true);
    }
    expect(after, `half-written: ${where}`).toEqual(before);
  }
  if ((init.method ?? 'GET') === 'GET') expect(after, `a GET wrote: ${where}`).toEqual(before);
  return res.status;
}

const run = <T>(arb: fc.Arbitrary<T>, f: (v: T) => Promise<void>) => fc.assert(fc.asyncProperty(arb, f), { numRuns: RUNS, seed: SEED });
const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

describe(`fuzzing the admin API on ${backend}`, () => {
  const sources = fc.constant(null).map(() => ({ files, templates: readdirSync('templates') }) as unknown as Json);
  it('POST /v1/admin/plan and /v1/admin/apply with mutated project sources', { timeout: 300_000 }, async () => {
    await run(fc.tuple(bodyOf(sources), fc.constantFrom('plan', 'apply')), async ([body, what]) => {
      await check(`POST /v1/admin/${what}`, `/v1/admin/${what}`, { method: 'POST', headers: admin, body: body.bytes });
    });
  });
  it('GET /v1/admin/calendar and /v1/admin/preview-subject/:id with fuzzed parameters', { timeout: 300_000 }, async () => {
    const value = fc.oneof(
      nastyString,
      fc.constantFrom('2026-12-01', '2026-12-31', '2999-12-31', '2026-11-24T10:00:00Z', 'checkout.started'),
    );
    await run(fc.tuple(value, value, value, segment(['fuzz@example.com', 'c-42'])), async ([from, to, now, id]) => {
      const q = new URLSearchParams({ from, to, now }).toString();
      await check('GET /v1/admin/calendar', `/v1/admin/calendar?${q}`, { headers: admin });
      await check('GET /v1/admin/preview-subject', `/v1/admin/preview-subject/${id}?${new URLSearchParams({ trigger: now })}`, {
        headers: admin,
      });
    });
  });
});

describe(`fuzzing POST /webhooks/ses on ${backend}`, () => {
  it('arbitrary bodies are refused without a request to anyone', { timeout: 300_000 }, async () => {
    await run(anyJson, async (body) => {
      const status = await check('POST /webhooks/ses', '/webhooks/ses', post(JSON.stringify(body)));
      expect(status).toBeGreaterThanOrEqual(400);
    });
    expect(outbound).toEqual([]);
  });
  it('correctly signed SNS documents with a mutated or arbitrary SES message never get a 5xx', { timeout: 300_000 }, async () => {
    const ses = fc.oneof(
      fc.constantFrom(bounce('fuzz@example.com', 'Permanent'), bounce('nobody@example.com', 'Transient'), complaint('fuzz@example.com')),
      anyJson,
    );
    const message = fc.oneof({ arbitrary: bodyOf(ses as fc.Arbitrary<Json>).map((b) => b.bytes.toString('utf8')), weight: 3 }, nastyString);
    await run(message, async (m) => {
      await check('POST /webhooks/ses (signed)', '/webhooks/ses', post(notification(m)));
    });
    expect(outbound.filter((u) => u !== CERT_URL)).toEqual([]);
  });
});

describe(`fuzzing the tracking, order, link and report routes on ${backend}`, () => {
  const api = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
  const order = fc.constant({
    order_id: 'F-1',
    total: '10.00',
    currency: 'EUR',
    contact: { id: 'fuzz-buyer' },
    landing_url: '/?utm_campaign=newsletter',
  } as Json);
  const link = fc.constant({ campaign: 'newsletter', network: 'instagram', to: 'https://shop.example/x' } as Json);
  it(
    'POST /v1/orders, /v1/links, /v1/admin/links and /v1/admin/attribution/recompute with mutated bodies',
    { timeout: 300_000 },
    async () => {
      await run(
        fc.tuple(fc.constantFrom('orders', 'links', 'admin-links', 'recompute'), bodyOf(order), bodyOf(link)),
        async ([what, o, l]) => {
          if (what === 'orders') await check('POST /v1/orders', '/v1/orders', { method: 'POST', headers: api, body: o.bytes });
          if (what === 'links') await check('POST /v1/links', '/v1/links', { method: 'POST', headers: api, body: l.bytes });
          if (what === 'admin-links')
            await check('POST /v1/admin/links', '/v1/admin/links', { method: 'POST', headers: admin, body: l.bytes });
          if (what === 'recompute')
            await check('POST /v1/admin/attribution/recompute', '/v1/admin/attribution/recompute', {
              method: 'POST',
              headers: admin,
              body: o.bytes,
            });
        },
      );
    },
  );
  it(
    'GET /v1/reports/:campaign, /reports, /c/:token, /o/:token, /confirm/:token and the analytics views with fuzzed parameters',
    { timeout: 300_000 },
    async () => {
      const value = fc.oneof(
        nastyString,
        fc.constantFrom(
          'newsletter',
          'abandoned-cart',
          '2026-12-01',
          '2026-11-24T10:00:00Z',
          '1.AAAAAAAAAAAAAAAAAAAAAA',
          'month',
          'quarter',
          'year',
        ),
      );
      await run(
        fc.tuple(segment(['newsletter', 'abandoned-cart']), value, value, segment(['1.AAAAAAAAAAAAAAAAAAAAAA'])),
        async ([c, from, to, tok]) => {
          const q = new URLSearchParams({ from, to }).toString();
          await check('GET /v1/reports/:campaign', `/v1/reports/${c}?${q}`, { headers: api });
          await check('GET /reports/:campaign', `/reports/${c}?${q}&key=${API_KEY}`, {});
          await check('GET /reports', `/reports?sort=${enc(from)}&key=${API_KEY}`, {});
          for (const area of ['c', 'o', 'confirm']) await check(`GET /${area}/:token`, `/${area}/${tok}`, {});
          await check('GET /v1/analytics/retention', `/v1/analytics/retention?period=${enc(from)}`, { headers: api });
          await check('GET /analytics', `/analytics?period=${enc(to)}&key=${API_KEY}`, {});
        },
      );
    },
  );
});

describe(`fuzzing /u/:token and /preferences/:token on ${backend}`, () => {
  it('fuzzed tokens and form bodies', { timeout: 300_000 }, async () => {
    const token = fc.oneof(
      fc.constant('GENUINE'),
      nastyString.map((s) => enc(s).slice(0, 500)),
      fc.string({ maxLength: 40 }).map((s) => enc(`1.${s}`)),
    );
    const form = fc.oneof(
      fc.constantFrom('List-Unsubscribe=One-Click', 'scope=all', 'scope=purpose', 'action=save&purpose=email.marketing', 'action=all', ''),
      nastyString.map((s) => `purpose=${enc(s)}&action=save`),
      fc.string({ maxLength: 200 }),
    );
    const type = fc.constantFrom('application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json', 'text/plain');
    await run(
      fc.tuple(fc.constantFrom('u', 'preferences'), token, fc.constantFrom('GET', 'POST'), form, type),
      async ([area, tok, method, body, ct]) => {
        const real = area === 'u' ? tokens.unsubscribe : tokens.preferences;
        await check(`${method} /${area}/:token`, `/${area}/${tok === 'GENUINE' ? real : tok}`, {
          method,
          headers: { 'content-type': ct },
          ...(method === 'POST' ? { body } : {}),
        });
      },
    );
  });

  it('saw no unhandled rejection', () => {
    expect(rejections).toEqual([]);
  });
});
