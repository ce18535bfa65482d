import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalAdmin } from '../../src/cli/admin-local';
import type { CliEngine } from '../../src/cli/command';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { createCliEngine, main } from '../../src/runtime/cli';
import { backend, useTestDatabase } from '../helpers/db';
import { engine, ingest, query } from '../helpers/engine';
import { freePort } from '../helpers/net';

/**
 * `almanac plan|apply|calendar|preview` through a running server's admin API (ALMANAC_URL): the
 * real app on a real port over the test database, the real CLI in-process. The local path is the
 * same commands with the local adapter on the same database, so "prints the same" is compared,
 * not assumed.
 */
const t = useTestDatabase('admin_api');
const ADMIN_KEY = 'admin-key-3f9c1d2e';
const API_KEY = 'ingest-key-77ab01';
const NOW = new Date('2026-11-23T10:00:00Z');

let server: ServerType;
let url = '';
/** Every request the server got (method and path), to see what a failed command sent. */
const requests: string[] = [];
let project = '';

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'almanac-admin-api-'));
  cpSync('campaigns', join(project, 'campaigns'), { recursive: true });
  cpSync('templates', join(project, 'templates'), { recursive: true });
  const app = createApp({
    database: t.database,
    metrics: new Metrics(),
    bodyLimitBytes: 2 * 1024 * 1024,
    log: () => {},
    apiKeys: [API_KEY],
    adminKeys: [ADMIN_KEY],
    now: () => NOW,
  });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve(
      {
        fetch: (req: Request) => {
          requests.push(`${req.method} ${new URL(req.url).pathname}`);
          return app.fetch(req);
        },
        port: 0,
        hostname: '127.0.0.1',
      },
      () => resolve(s),
    );
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(project, { recursive: true, force: true });
});

/** The CLI through the server (ALMANAC_URL), or on the test database in this process (the local adapter). */
async function almanac(how: 'remote' | 'local', args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const local: CliEngine = { ...createCliEngine(), admin: (config) => createLocalAdmin(config, (_config, fn) => fn(t.database)) };
  const code = await main(args, {
    env: how === 'remote' ? { ALMANAC_URL: url, ALMANAC_API_KEY: ADMIN_KEY, ...env } : env,
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    cwd: project,
    ...(how === 'local' ? { engine: local } : {}),
  });
  return { code, out: out.join(''), err: err.join('') };
}

/** Both ways: the same exit code and stdout; stderr differs only by the one note line. */
async function same(args: string[]) {
  const local = await almanac('local', args);
  const remote = await almanac('remote', args);
  const command = args[0]!;
  expect({ code: remote.code, out: remote.out }).toEqual({ code: local.code, out: local.out });
  expect(remote.err).toBe(`almanac ${command}: through the Almanac server at ${url}\n${local.err}`);
  return remote;
}

const versions = async () => (await query<{ n: number }>(t.database, sql`select count(*)::int as n from campaign_versions`))[0]!.n;

const edit = (file: string, from: string, to: string) => {
  const path = join(project, 'campaigns', file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
};

describe(`the CLI through the admin API on ${backend}`, () => {
  it('plan on a fresh database prints what the local plan prints, text and --json', async () => {
    const r = await same(['plan']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  + campaign abandoned-cart (version 1)\n');
    expect(r.out).toMatch(/\nPlan: 11 to add, 0 to change, 0 to remove; template files: \d+ to add, 0 to change, 0 to remove\.\n/);
    await same(['plan', '--json']);
    expect(await versions()).toBe(0);
  });

  it('apply through the server stores the versions in the database; plan then says no changes', async () => {
    const applied = await almanac('remote', ['apply']);
    expect(applied.err).toBe(`almanac apply: through the Almanac server at ${url}\n`);
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(
      /\nApplied: 11 version\(s\) stored \(abandoned-cart@1, birthday@1, browse-abandonment@1, consent-confirmation@1, newsletter@1, review-request@1, vip-welcome@1, welcome@1, win-back@1, calendar\.yaml@1, segments\.yaml@1\), \d+ template file version\(s\), 0 retired, runs migrated 0, exited 0\.\n$/,
    );
    expect(await versions()).toBe(11);
    // The template files went over HTTP with their text, and the server stored them as version 1.
    const html = await query<{ version: number; content: string }>(
      t.database,
      sql`select version, content from template_files where path = 'cart-reminder/pl/html.hbs'`,
    );
    expect(html).toEqual([{ version: 1, content: readFileSync('templates/cart-reminder/pl/html.hbs', 'utf8') }]);
    const stored = await query<{ campaign: string; source: string | null }>(
      t.database,
      sql`select campaign, source from campaign_versions where campaign = 'welcome'`,
    );
    expect(stored).toEqual([{ campaign: 'welcome', source: readFileSync('campaigns/welcome.yaml', 'utf8') }]);
    const plan = await same(['plan']);
    expect(plan.out).toContain('No changes. The database matches the campaign files.\n');
    // Nothing left to apply: both ways agree on that too, in text and JSON.
    await same(['apply']);
    await same(['apply', '--json']);
    expect(await versions()).toBe(11);
  });

  it('a changed file with runs in flight: the same plan both ways, then apply --json stores it', async () => {
    await ingest(
      t.database,
      [
        {
          id: 'ada-consent',
          type: 'consent.granted',
          occurred_at: '2026-11-23T09:00:00Z',
          contact: { id: 'ada', email: 'ada@example.com', timezone: 'Europe/Warsaw' },
          properties: { purpose: 'email.marketing', source: 'test' },
        },
        { id: 'ada-created', type: 'contact.created', occurred_at: '2026-11-23T09:00:00Z', contact: { id: 'ada' }, properties: {} },
      ],
      NOW,
    );
    // Ada's welcome run starts and sends welcome-1 (quiet hours allowing: 11:00 in Warsaw), then waits 2d.
    const ticks = engine(t.database, { dispatch: true });
    for (let i = 0; i < 3; i++) await ticks.tick(NOW);
    edit('welcome.yaml', 'wait: 2d', 'wait: 3d');
    const plan = await same(['plan']);
    expect(plan.out).toContain('~ campaign welcome');
    expect(plan.out).toContain('wait 2d → wait 3d  [1 run here]');
    await same(['plan', '--json']);
    const applied = await almanac('remote', ['apply', '--json']);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.out)).toMatchObject({ stored: ['welcome@2'], retired: [] });
    expect(await versions()).toBe(12);
  });

  it('calendar reads the applied calendar through the server: table, --json and --ics as locally', async () => {
    const range = ['--from', '2026-11-30', '--to', '2026-12-27', '--now', NOW.toISOString()];
    const table = await same(['calendar', ...range]);
    expect(table.code).toBe(0);
    expect(table.out).toContain('Calendar 2026-11-30 to 2026-12-27, times in Europe/Warsaw');
    expect(table.out).not.toContain('Note:');
    await same(['calendar', ...range, '--json']);
    await same(['calendar', ...range, '--ics']);
  });

  it('preview looks the contact up through the server and renders the same messages', async () => {
    await ingest(
      t.database,
      [
        {
          id: 'k-9-started',
          type: 'checkout.started',
          occurred_at: '2026-11-23T09:30:00Z',
          contact: { id: 'c-42', email: 'grace@example.com', timezone: 'Europe/Warsaw', locale: 'pl' },
          properties: {
            checkout_id: 'k-9',
            total: 129.0,
            currency: 'EUR',
            items: [{ product_id: 'p1', title: 'Mug', quantity: 2, price: 64.5 }],
          },
        },
      ],
      NOW,
    );
    const r = await same(['preview', 'abandoned-cart', '--contact', 'c-42']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Preview of abandoned-cart for c-42 <grace@example.com> (timezone Europe/Warsaw)');
    expect(r.out).toContain('Mug');
    // By email too; an unknown contact is the same error both ways (the server did answer: hence the note).
    await same(['preview', 'abandoned-cart', '--contact', 'grace@example.com']);
    const local = await almanac('local', ['preview', 'abandoned-cart', '--contact', 'nobody']);
    const remote = await almanac('remote', ['preview', 'abandoned-cart', '--contact', 'nobody']);
    expect(local).toEqual({
      code: 1,
      out: '',
      err: 'almanac preview: no contact with external id or email "nobody" in the database (or pass --contact FILE.json)\n',
    });
    expect(remote).toEqual({ ...local, err: `almanac preview: through the Almanac server at ${url}\n${local.err}` });
  });

  it('a compile error is reported locally with file:line:col, and nothing is sent or stored', async () => {
    edit('abandoned-cart.yaml', '- send: cart-reminder', '- sned: cart-reminder');
    try {
      const before = requests.length;
      for (const command of ['plan', 'apply']) {
        const r = await almanac('remote', [command]);
        expect(r).toEqual({
          code: 1,
          out: '',
          err: 'campaigns/abandoned-cart.yaml:23:5 unknown step "sned" — did you mean "send"?\n1 error(s): nothing was changed.\n',
        });
      }
      expect(requests.slice(before)).toEqual([]);
      expect(await versions()).toBe(12);
    } finally {
      edit('abandoned-cart.yaml', '- sned: cart-reminder', '- send: cart-reminder');
    }
  });

  it('a template error is reported locally too, and nothing is sent', async () => {
    const path = join(project, 'templates', 'cart-reminder', 'html.hbs');
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, '<p>{{monye cart.total}}</p>');
    try {
      const before = requests.length;
      const r = await almanac('remote', ['apply']);
      expect(r.code).toBe(1);
      expect(r.err).toContain('templates/cart-reminder/html.hbs:1:6 unknown helper "monye" — did you mean "money"?\n');
      expect(requests.slice(before)).toEqual([]);
    } finally {
      writeFileSync(path, good);
    }
  });

  it('a wrong key, a missing key, a bad URL and an unreachable server are one line each, exit 1', async () => {
    const wrong = await almanac('remote', ['plan'], { ALMANAC_API_KEY: 'not-the-admin-key' });
    expect(wrong).toEqual({
      code: 1,
      out: '',
      err: `almanac plan: the Almanac server at ${url} refused the key: the API key is not one of ADMIN_API_KEYS\n`,
    });
    // The ingestion key opens /v1, not the admin API.
    const ingestion = await almanac('remote', ['apply'], { ALMANAC_API_KEY: API_KEY });
    expect(ingestion.code).toBe(1);
    expect(ingestion.err).toBe(`almanac apply: the Almanac server at ${url} refused the key: the API key is not one of ADMIN_API_KEYS\n`);

    const missing = await almanac('remote', ['calendar', '--from', '2026-12-01', '--to', '2026-12-02'], { ALMANAC_API_KEY: '' });
    expect(missing).toEqual({
      code: 1,
      out: '',
      err: "almanac calendar: ALMANAC_API_KEY: required with ALMANAC_URL (one of the server's ADMIN_API_KEYS)\n",
    });
    const badUrl = await almanac('remote', ['plan'], { ALMANAC_URL: 'localhost:8787' });
    expect(badUrl.code).toBe(1);
    expect(badUrl.err).toMatch(/^almanac plan: ALMANAC_URL: expected the server's base URL[^\n]*\n$/);

    const closed = `http://127.0.0.1:${await freePort()}`;
    for (const args of [['plan'], ['calendar', '--from', '2026-12-01', '--to', '2026-12-02'], ['preview', 'welcome', '--contact', 'ada']]) {
      const r = await almanac('remote', args, { ALMANAC_URL: closed });
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(new RegExp(`^almanac ${args[0]}: cannot reach the Almanac server at ${closed}: [^\\n]+\\n$`));
    }
  });
});

describe(`the admin routes on ${backend}`, () => {
  const sources = () => ({
    files: readdirSync(join(project, 'campaigns')).map((name) => ({
      path: `campaigns/${name}`,
      text: readFileSync(join(project, 'campaigns', name), 'utf8'),
    })),
    templates: readdirSync(join(project, 'templates')).filter((n) => n !== 'layouts' && n !== 'partials'),
  });
  const post = (path: string, body: unknown, key: string | null = ADMIN_KEY) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (path: string, key: string | null = ADMIN_KEY) =>
    fetch(`${url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const error = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details: unknown } }).error;

  it('refuse a request without a key, with the ingestion key, and every request when no admin key is configured', async () => {
    const none = await post('/v1/admin/plan', sources(), null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await error(none)).toMatchObject({ code: 'unauthorized' });
    const ingestion = await get('/v1/admin/calendar?from=2026-12-01&to=2026-12-02', API_KEY);
    expect(ingestion.status).toBe(401);
    expect((await error(ingestion)).message).toBe('the API key is not one of ADMIN_API_KEYS');
    // …and the admin key is no ingestion key.
    expect((await post('/v1/events', { type: 'x' }, ADMIN_KEY)).status).toBe(401);

    const bare = createApp({
      database: t.database,
      metrics: new Metrics(),
      bodyLimitBytes: 1024 * 1024,
      log: () => {},
      apiKeys: [API_KEY],
    });
    const res = await bare.request('/v1/admin/plan', {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect((await error(res)).message).toContain('set ADMIN_API_KEYS');
  });

  it('answer 400 naming the field of a bad body, and the diagnostics of files that do not compile (storing nothing)', async () => {
    const cases: Array<[unknown, string]> = [
      ['not json', ''],
      [[], 'body'],
      [{ templates: [] }, 'files'],
      [{ files: [{ path: 'campaigns/a.yaml' }], templates: [] }, 'files[0].text'],
      [{ files: [{ path: 7, text: '' }], templates: [] }, 'files[0].path'],
      [{ files: [], templates: 'cart-reminder' }, 'templates'],
      [{ files: [], templates: [1] }, 'templates'],
      [{ files: [], templates: [], templateFiles: {} }, 'templateFiles'],
      [{ files: [], templates: [], templateFiles: [{ path: '../etc/passwd.hbs', text: '' }] }, 'templateFiles[0].path'],
      [{ files: [], templates: [], templateFiles: [{ path: 'welcome/run.sh', text: '' }] }, 'templateFiles[0].path'],
      [{ files: [], templates: [], templateFiles: [{ path: 'welcome/html.hbs', text: 1 }] }, 'templateFiles[0].text'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/v1/admin/apply', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      const e = await error(res);
      expect(e.code).toBe('bad_request');
      if (field) {
        expect(e.details).toEqual({ field });
        expect(e.message.startsWith(`${field}: `)).toBe(true);
      }
    }
    const broken = sources();
    broken.files = broken.files.map((f) =>
      f.path.endsWith('abandoned-cart.yaml') ? { ...f, text: f.text.replace('- send: cart-reminder', '- sned: cart-reminder') } : f,
    );
    const before = await versions();
    const res = await post('/v1/admin/apply', broken);
    expect(res.status).toBe(400);
    const e = await error(res);
    expect(e.code).toBe('validation_failed');
    expect(e.message).toContain('campaigns/abandoned-cart.yaml:23:5 unknown step "sned"');
    expect((e.details as { errors: Array<{ file: string; line: number; col: number }> }).errors[0]).toMatchObject({
      file: 'campaigns/abandoned-cart.yaml',
      line: 23,
      col: 5,
    });
    expect(await versions()).toBe(before);
  });

  it('plan answers { text, json }; calendar and preview-subject check their parameters', async () => {
    const plan = await post('/v1/admin/plan', sources());
    expect(plan.status).toBe(200);
    const body = (await plan.json()) as { text: string; json: { changes: unknown[]; unchanged: string[] } };
    expect(body.text).toContain('Plan: 0 to add, 0 to change, 0 to remove.');
    expect(body.json.changes).toEqual([]);

    const range = await get('/v1/admin/calendar?from=2026-12-10&to=2026-12-01');
    expect(range.status).toBe(400);
    expect((await error(range)).details).toEqual({ parameter: 'to' });
    const now = await get('/v1/admin/calendar?from=2026-12-01&to=2026-12-02&now=yesterday');
    expect(now.status).toBe(400);
    expect((await error(now)).details).toEqual({ parameter: 'now' });
    // Found by the fuzz test: year 0001 made the caps' look-back fall before year 1 (a 500 from PostgreSQL).
    for (const bad of ['0001-01-01T00:00:00Z', '1999-12-31T23:59:59Z']) {
      const res = await get(`/v1/admin/calendar?from=2026-12-01&to=2026-12-02&now=${bad}`);
      expect(res.status, bad).toBe(400);
      expect((await error(res)).details).toEqual({ parameter: 'now' });
    }
    const calendar = (await (await get(`/v1/admin/calendar?from=2026-12-01&to=2026-12-02&now=${NOW.toISOString()}`)).json()) as {
      applied: boolean;
      view: { timezone: string; days: unknown[] };
    };
    expect(calendar.applied).toBe(true);
    expect(calendar.view).toMatchObject({ timezone: 'Europe/Warsaw', today: '2026-11-23' });
    expect(calendar.view.days).toHaveLength(2);

    const absent = await get('/v1/admin/preview-subject/nobody');
    expect(absent.status).toBe(404);
    expect(await error(absent)).toMatchObject({ code: 'not_found', details: { contact: 'nobody' } });
    const subject = (await (await get('/v1/admin/preview-subject/c-42?trigger=checkout.started')).json()) as {
      contact: { label: string; email: string };
      trigger: { type: string; properties: { checkout_id: string } };
    };
    expect(subject.contact).toMatchObject({ label: 'c-42', email: 'grace@example.com' });
    expect(subject.trigger).toMatchObject({ type: 'checkout.started', properties: { checkout_id: 'k-9' } });
  });
});
