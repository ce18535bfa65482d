import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { createLocalAdmin } from '../../src/cli/admin-local';
import type { CliEngine } from '../../src/cli/command';
import { compileSources } from '../../src/dsl/compile/index';
import { readProjectFiles } from '../../src/dsl/compile/files';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { createCliEngine, main } from '../../src/runtime/cli';
import { backend, useTestDatabase } from '../helpers/db';
import { at, ingest } from '../helpers/engine';

/**
 * Authoring issue: `almanac plan --forecast`, end to end through the CLI on a real database. The
 * sample project is applied a week before NOW; twelve contacts with consent (ten in Warsaw, two
 * in New York) get the Tuesday newsletter at 10:00 their time. The engine's clock is pinned at
 * NOW, a Monday: the next 30 days hold five Tuesdays (24 Nov – 22 Dec), so 60 newsletters.
 */
const t = useTestDatabase('plan_forecast');
const APPLIED = at('2026-11-16T09:00:00Z');
/** Monday 23 November 2026, 08:00 in Warsaw. */
const NOW = at('2026-11-23T07:00:00Z');
const ADMIN_KEY = 'admin-key-plan-forecast';

const dirs: string[] = [];
/** A copy of the sample project, with `files` (campaigns/NAME.yaml → text) written over it. */
function projectWith(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'almanac-plan-forecast-'));
  dirs.push(dir);
  cpSync('campaigns', join(dir, 'campaigns'), { recursive: true });
  cpSync('templates', join(dir, 'templates'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'campaigns', name), text);
  return dir;
}

const consent = (id: string, timezone?: string) => ({
  id: `${id}-consent`,
  type: 'consent.granted',
  occurred_at: APPLIED.toISOString(),
  contact: { id, email: `${id}@example.com`, ...(timezone ? { timezone } : {}) },
  properties: { purpose: 'email.marketing', source: 'test' },
});

beforeAll(async () => {
  const files = readdirSync('campaigns').map((f) => ({ path: `campaigns/${f}`, text: readFileSync(join('campaigns', f), 'utf8') }));
  const compiled = compileSources(files, readdirSync('templates'), {
    templateFiles: (await readProjectFiles({ campaignsDir: 'campaigns', templatesDir: 'templates' })).templateFiles,
  });
  if (!compiled.ok) throw new Error('the samples do not compile');
  await applyProject(t.database, compiled.project, APPLIED);
  const people = [
    ...Array.from({ length: 10 }, (_, i) => consent(`waw-${i}`, 'Europe/Warsaw')),
    consent('nyc-0', 'America/New_York'),
    consent('nyc-1', 'America/New_York'),
  ];
  await ingest(t.database, people, APPLIED);
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `almanac ARGS` in `cwd`, with the engine's clock at NOW: on the test database, or through the server at `remote`. */
async function almanac(args: string[], cwd: string, remote?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const engine: CliEngine = remote
    ? { ...createCliEngine(), now: () => NOW }
    : { ...createCliEngine(), now: () => NOW, admin: (config) => createLocalAdmin(config, (_c, fn) => fn(t.database)) };
  const env: Record<string, string> = remote ? { ALMANAC_URL: remote, ALMANAC_API_KEY: ADMIN_KEY } : {};
  const code = await main(args, { env, out: (s) => out.push(s), err: (s) => err.push(s), cwd, engine });
  return { code, out: out.join(''), err: err.join('') };
}

/** What follows the plan: the forecast and the warnings. */
const forecastPart = (out: string) => out.slice(out.indexOf('\nForecast, '));

const edit = (file: string, from: string, to: string) => {
  const text = readFileSync(join('campaigns', file), 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no "${from}"`);
  return { [file]: text.replace(from, to) };
};

const FLASH_SALE = `campaign: flash-sale
name: Flash sale
purpose: email.marketing
priority: 50
trigger:
  at: 2026-12-01T09:00
  timezone: contact
audience: { consent: email.marketing }
steps:
  - send: newsletter
`;

describe(`almanac plan --forecast on ${backend}`, () => {
  it('with nothing changed: the same sends before and after, and no warning for the samples', async () => {
    const r = await almanac(['plan', '--forecast'], projectWith());
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^No changes\. The database matches the campaign files\.\n/);
    expect(forecastPart(r.out)).toBe(
      '\nForecast, next 30 days (Mon 2026-11-23 to Tue 2026-12-22, days in Europe/Warsaw): sends before → after apply\n' +
        '  = unchanged: newsletter 60\n' +
        '  total: 60 → 60\n\n' +
        'Warnings: none.\n',
    );
    // Without --forecast, the plan is what it always was.
    expect((await almanac(['plan'], projectWith())).out).toBe(r.out.slice(0, r.out.indexOf('\nForecast, ')));
  });

  it('a newsletter on Fridays too: 60 → 108, the four Fridays named; --days and --from (a day, or an instant) move the window', async () => {
    const dir = projectWith(edit('newsletter.yaml', 'BYDAY=TU;', 'BYDAY=TU,FR;'));
    const r = await almanac(['plan', '--forecast'], dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('  ~ campaign newsletter (version 1 → 2; running runs finish on version 1; new runs start on 2)\n');
    expect(forecastPart(r.out)).toBe(
      '\nForecast, next 30 days (Mon 2026-11-23 to Tue 2026-12-22, days in Europe/Warsaw): sends before → after apply\n' +
        '  ~ newsletter  60 → 108 (+48)\n' +
        '      Fri 2026-11-27 0 → 12, Fri 2026-12-04 0 → 12, Fri 2026-12-11 0 → 12, Fri 2026-12-18 0 → 12\n' +
        '  total: 60 → 108 (+48)\n\n' +
        'Warnings: none.\n',
    );
    const week = await almanac(['plan', '--forecast', '--days', '7'], dir);
    expect(forecastPart(week.out)).toContain('next 7 days (Mon 2026-11-23 to Sun 2026-11-29, days in Europe/Warsaw)');
    expect(forecastPart(week.out)).toContain('  ~ newsletter  12 → 24 (+12)\n      Fri 2026-11-27 0 → 12\n');
    const later = await almanac(['plan', '--forecast', '--from', '2026-12-07', '--days=14'], dir);
    expect(forecastPart(later.out)).toContain(
      'next 14 days (Mon 2026-12-07 to Sun 2026-12-20, days in Europe/Warsaw): sends before → after apply\n' +
        '  ~ newsletter  24 → 48 (+24)\n      Fri 2026-12-11 0 → 12, Fri 2026-12-18 0 → 12\n',
    );
    // 23:30 UTC on the 6th is already the 7th in Warsaw.
    expect((await almanac(['plan', '--forecast', '--from', '2026-12-06T23:30:00Z', '--days', '14'], dir)).out).toBe(later.out);
  });

  it('bad windows are usage errors naming the flag', async () => {
    const dir = projectWith();
    for (const [args, message] of [
      [['--forecast', '--days', '0'], '--days: expected a whole number of days from 1 to 366 (got "0")'],
      [['--forecast', '--days', '2w'], '--days: expected a whole number of days from 1 to 366 (got "2w")'],
      [['--forecast', '--from', '2026-11-20'], '--from: 2026-11-20 is before today (2026-11-23 in Europe/Warsaw)'],
      [['--forecast', '--from', 'next tuesday'], '--from: expected a date YYYY-MM-DD'],
      [['--days', '7'], '--days goes with --forecast'],
    ] as const) {
      const r = await almanac(['plan', ...args], dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(message);
    }
  });

  it('a flash sale on a Tuesday morning: its 12 sends, and the newsletter that day moved to Wednesday by the 1-a-day cap', async () => {
    const dir = projectWith({ 'flash-sale.yaml': FLASH_SALE });
    const r = await almanac(['plan', '--forecast'], dir);
    expect(r.code, r.err).toBe(0);
    expect(forecastPart(r.out)).toBe(
      '\nForecast, next 30 days (Mon 2026-11-23 to Tue 2026-12-22, days in Europe/Warsaw): sends before → after apply\n' +
        '  + flash-sale  0 → 12 (+12)\n' +
        '      Tue 2026-12-01 0 → 12\n' +
        '  ~ newsletter  60 → 60\n' +
        '      Tue 2026-12-01 12 → 0, Wed 2026-12-02 0 → 12\n' +
        '  total: 60 → 72 (+12)\n\n' +
        'Warnings: none.\n',
    );

    const md = await almanac(['plan', '--forecast', '--format', 'markdown'], dir);
    expect(md.out).toMatch(/^### Almanac plan: 1 to add, 0 to change, 0 to remove\n\n```diff\n\+ campaign flash-sale \(version 1\)\n/);
    expect(md.out).toContain(
      '```\n\n' +
        '#### Forecast, next 30 days (Mon 2026-11-23 to Tue 2026-12-22, days in Europe/Warsaw)\n\n' +
        '| campaign | sends before → after | days that change |\n' +
        '|---|---|---|\n' +
        '| flash-sale | 0 → 12 (+12) | Tue 2026-12-01 0 → 12 |\n' +
        '| newsletter | 60 → 60 | Tue 2026-12-01 12 → 0; Wed 2026-12-02 0 → 12 |\n' +
        '| **total** | **60 → 72 (+12)** | |\n\n' +
        'No warnings.\n\n' +
        'Nothing changes until `almanac apply` runs on the main branch.\n',
    );

    const json = JSON.parse((await almanac(['plan', '--forecast', '--json'], dir)).out);
    expect(json.changes[0]).toMatchObject({ campaign: 'flash-sale', action: 'add', version: 1 });
    expect(json.forecast).toEqual({
      from: '2026-11-23',
      to: '2026-12-22',
      timezone: 'Europe/Warsaw',
      days: 30,
      campaigns: [
        { campaign: 'flash-sale', before: 0, after: 12, days: [{ date: '2026-12-01', before: 0, after: 12 }] },
        {
          campaign: 'newsletter',
          before: 60,
          after: 60,
          days: [
            { date: '2026-12-01', before: 12, after: 0 },
            { date: '2026-12-02', before: 0, after: 12 },
          ],
        },
      ],
      total: { before: 60, after: 72 },
    });
    expect(json).toMatchObject({ notes: [], warnings: [] });
  });

  it('through a running server (ALMANAC_URL): the same report, the window checked there too', async () => {
    const app = createApp({
      database: t.database,
      metrics: new Metrics(),
      bodyLimitBytes: 2 * 1024 * 1024,
      log: () => {},
      apiKeys: [],
      adminKeys: [ADMIN_KEY],
      now: () => at('2030-01-01T00:00:00Z'), // the CLI sends its engine's clock: the server's own is not used
    });
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const dir = projectWith({ 'flash-sale.yaml': FLASH_SALE });
      for (const format of ['text', 'json', 'markdown']) {
        const local = await almanac(['plan', '--forecast', '--format', format], dir);
        const remote = await almanac(['plan', '--forecast', '--format', format], dir, url);
        expect(remote.code, remote.err).toBe(0);
        expect(remote.err).toBe(`almanac plan: through the Almanac server at ${url}\n`);
        expect(remote.out).toBe(local.out);
      }
      const res = await fetch(`${url}/v1/admin/plan`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ files: [], templates: [], forecast: { days: 400 } }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        'forecast.days: expected a whole number of days from 1 to 366 (got 400)',
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('warnings name the campaign, the step and why; a contact without a zone is counted where its local time matters', async () => {
    await ingest(t.database, [consent('nozone')], APPLIED);
    const broadcast = (id: string, priority: number, schedule: string) =>
      `campaign: ${id}\npurpose: email.marketing\npriority: ${priority}\ntrigger:\n  schedule: ${schedule}\nsteps:\n  - send: newsletter\n`;
    const dir = projectWith({
      'late-night.yaml': broadcast('late-night', 10, '{ rrule: "FREQ=WEEKLY;BYDAY=WE;BYHOUR=22;BYMINUTE=30", timezone: contact }'),
      'daily-deal.yaml': broadcast('daily-deal', 30, '{ rrule: "FREQ=DAILY;BYHOUR=12", timezone: contact }'),
      'ny-night.yaml': broadcast('ny-night', 90, '{ rrule: "FREQ=WEEKLY;BYDAY=TH;BYHOUR=23", timezone: America/New_York }'),
      'dead-ends.yaml': `campaign: dead-ends
purpose: email.marketing
trigger: { event: checkout.started }
steps:
  - branch:
      - when: { attribute: cart.total, gte: 100 }
        steps: [ exit ]
      - when: { attribute: cart.total, gte: 100 }
        steps: [ { send: cart-discount } ]
      - otherwise: [ exit ]
  - send: cart-last-call
`,
    });
    const r = await almanac(['plan', '--forecast', '--json'], dir);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out) as { warnings: Array<{ kind: string; campaign: string; step: string }>; notes: string[] };
    expect(json.warnings.map((w) => [w.campaign, w.step, w.kind])).toEqual([
      ['daily-deal', 'steps[0]', 'over_cap'],
      ['daily-deal', 'steps[0]', 'contacts_without_zone'],
      ['dead-ends', 'steps[0].branch[1].steps[0]', 'arm_never_holds'],
      ['dead-ends', 'steps[1]', 'unreachable_step'],
      ['late-night', 'steps[0]', 'always_quiet_hours'],
      ['late-night', 'steps[0]', 'always_outranked'],
      ['late-night', 'steps[0]', 'contacts_without_zone'],
      ['newsletter', 'steps[0]', 'always_outranked'],
      ['newsletter', 'steps[0]', 'contacts_without_zone'],
      ['ny-night', 'steps[0]', 'always_deferred'],
    ]);
    expect(json.notes).toEqual([
      'dead-ends is new and starts on the event checkout.started: it has no entries yet to learn a rate from, so its sends are not forecast',
    ]);

    const text = (await almanac(['plan', '--forecast'], dir)).out;
    // What the warnings explain, the forecast shows: the daily deal leaves the newsletter no day at all.
    expect(text).toContain('  - newsletter  65 → 0 (−65)\n');
    for (const line of [
      '  ! daily-deal steps[0]: fires 7 times within 7d, but the frequency cap email.marketing 3/7d allows 3: at least 4 of every 7 wait for room in the cap (on_conflict: defer)',
      "  ! daily-deal steps[0]: 1 contact it reaches has no time zone: it gets it at 12:00 in Europe/Warsaw, the calendar's zone, and quiet hours are read there too (set contact.timezone)",
      '  ! dead-ends steps[1]: steps[1] (send cart-last-call) never runs: every path through steps[0] (branch (2 when + otherwise)) ends the run at an exit',
      "  ! late-night steps[0]: steps[0] (send newsletter) is due at 22:30 in each contact's zone, inside quiet hours (21:00–08:00) every time: no send goes at its time, each waits until 08:00",
      '  ! newsletter steps[0]: every send meets daily-deal (priority 30) within the frequency cap email.marketing 3/7d and loses (its priority is 20): each waits for room in the cap (on_conflict: defer)',
      '  ! ny-night steps[0]: every one of its 52 forecast sends (on 4 days) goes later than due: quiet hours, a blackout or a frequency cap holds each of them',
    ])
      expect(text).toContain(`${line}\n`);
    expect(text).toContain('\nWarnings (10):\n');
    const md = (await almanac(['plan', '--forecast', '--format', 'markdown'], dir)).out;
    expect(md).toContain(
      '#### Warnings\n\n- **daily-deal** `steps[0]`: fires 7 times within 7d, but the frequency cap email.marketing 3/7d allows 3',
    );
    expect(md).toContain('\n> dead-ends is new and starts on the event checkout.started');
  });
});
