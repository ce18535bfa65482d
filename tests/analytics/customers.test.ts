import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHURN_ALERT } from './fixtures';
import { applyProject } from '../../src/campaigns/apply';
import type { Condition } from '../../src/dsl/condition';
import { evaluate } from '../../src/dsl/conditions/evaluate';
import type { Services } from '../../src/runtime/services';
import { loadFacts, selectMatchingContactIds } from '../../src/storage/facts';
import { backend, useTestDatabase } from '../helpers/db';
import { at, compileInline, query } from '../helpers/engine';
import { almanacCli } from '../helpers/cli';
import { launchChromium, serveOnFreePort } from '../helpers/browser';
import { has } from '../helpers/capabilities';
import { mkdirSync } from 'node:fs';
import { API_KEY, authed } from '../http/ingest-app';
import { openRuntime, outbox, virtualClock } from '../e2e/runtime';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Issue 15, customer analytics end to end on a data set small enough to check by hand: a dozen
 * customers over three months (October–December 2026, the calendar's zone Europe/Warsaw), their
 * orders in through `POST /v1/orders`, the engine's ticks on a virtual clock, and every number
 * read back through HTTP. The customers (orders on the 10th of each month, EUR):
 *
 *   id  Oct   Nov   Dec   channel   orders  revenue
 *   A   100    50    70   google    3       220
 *   B    40    60     –   google    2       100
 *   C    30     –     –   facebook  1        30
 *   D    20     –    25   google    2        45
 *   E     –    80    20   google    2       100
 *   F     –    10     –   facebook  1        10
 *   G     –     –    90   google    1        90
 *   H     –     –    15   facebook  1        15
 *   I   200   100   100   google    3       400
 *   J     –    35    45   google    2        80
 *   K    55     –     –   facebook  1        55
 *   L   (no order: a prospect)      google
 *
 * R = N·V·L. November: N = 6 (A B C D I K active in October), retained A B I → L = 3/6 = 0.5,
 * their November revenue 50 + 60 + 100 = 210 → V = 70, R = 210; new E F J = 125; total 335.
 * December: N = 6 (A B E F I J), retained A E I J → L = 4/6, revenue 70 + 20 + 100 + 45 = 235 →
 * V = 58.75, R = 235; new G H = 105; reactivated D = 25; total 365.
 * ΔR = 25, by LMDI: Lm(235, 210) = 25 / ln(235/210) = 222.2657; N: ln(6/6) = 0 → 0.00;
 * V: 222.2657 · ln(58.75/70) = −38.94; L: 222.2657 · ln((4/6)/0.5) = 63.94; −38.94 + 63.94 = 25.00.
 *
 * Stages on 15 December with LIFECYCLE_LOYAL_ORDERS=3, LIFECYCLE_LOYAL_DAYS=60: A and I loyal
 * (3 orders, first 66 days ago), B D E J repeat, C F G H K new, L prospect. On 20 February 2027,
 * C and K (one order, 133 days ago: more than LIFECYCLE_CHURN_DAYS=120) are churning; A and I
 * (mean gap 30.5 days × 2.5 = 76.25 days after 10 December = 24 February) not yet.
 *
 * RFM on 15 December (11 customers, ties at their mean rank, score 1 + ⌊5 · (rank − 1) / 11⌋):
 * recency — C K (October, ranks 1–2, mean 1.5) → 1; B F (November, mean 3.5) → 2; the seven
 * December buyers (mean 8) → 4. Frequency — five one-order customers (mean 3) → 1; four with two
 * (mean 7.5) → 3; A I (mean 10.5) → 5. Cells: A I (4,5) loyal; D E J (4,3) potential_loyalist;
 * B (2,3) at_risk; G H (4,1) promising; F (2,1), C K (1,1) hibernating.
 *
 * Value with ACQUISITION_COST_BY_CHANNEL=facebook=30 and SERVICE_COST_PER_ORDER=5: C 30 − 35 = −5,
 * F 10 − 35 = −25, H 15 − 35 = −20 are unprofitable (K 55 − 35 = 20 is not). Top 20 % by revenue
 * = ⌈11/5⌉ = 3 customers: I 400 + A 220 + 100 (B or E) = 720 of 1 145 = 62.88 %.
 */
const t = useTestDatabase('analytics_customers');
const clock = virtualClock(at('2026-12-15T12:00:00Z'));
let services: Services;

const customers: Array<{ id: string; orders: Array<[string, number]>; channel: string }> = [
  {
    id: 'A',
    orders: [
      ['10', 100],
      ['11', 50],
      ['12', 70],
    ],
    channel: 'google',
  },
  {
    id: 'B',
    orders: [
      ['10', 40],
      ['11', 60],
    ],
    channel: 'google',
  },
  { id: 'C', orders: [['10', 30]], channel: 'facebook' },
  {
    id: 'D',
    orders: [
      ['10', 20],
      ['12', 25],
    ],
    channel: 'google',
  },
  {
    id: 'E',
    orders: [
      ['11', 80],
      ['12', 20],
    ],
    channel: 'google',
  },
  { id: 'F', orders: [['11', 10]], channel: 'facebook' },
  { id: 'G', orders: [['12', 90]], channel: 'google' },
  { id: 'H', orders: [['12', 15]], channel: 'facebook' },
  {
    id: 'I',
    orders: [
      ['10', 200],
      ['11', 100],
      ['12', 100],
    ],
    channel: 'google',
  },
  {
    id: 'J',
    orders: [
      ['11', 35],
      ['12', 45],
    ],
    channel: 'google',
  },
  { id: 'K', orders: [['10', 55]], channel: 'facebook' },
  { id: 'L', orders: [], channel: 'google' },
];

const get = async <T>(path: string): Promise<T> => {
  const res = await services.app.request(path, { headers: { authorization: `Bearer ${API_KEY}` } });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
};

/** The sample calendar (Europe/Warsaw) and segments, plus a journey that starts when a customer starts churning. */
const project = () =>
  compileInline(
    {
      'campaigns/calendar.yaml': readFileSync('campaigns/calendar.yaml', 'utf8'),
      'campaigns/segments.yaml': readFileSync('campaigns/segments.yaml', 'utf8'),
      'campaigns/churn-alert.yaml': CHURN_ALERT,
    },
    readdirSync('templates'),
  );

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    LIFECYCLE_LOYAL_ORDERS: '3',
    LIFECYCLE_LOYAL_DAYS: '60',
    ACQUISITION_COST_BY_CHANNEL: 'facebook=30',
    SERVICE_COST_PER_ORDER: '5',
    // One full pass at the first tick; every later tick is incremental, so the February change is found by review_at.
    ANALYTICS_PASS_SECONDS: String(10 * 365 * 86_400),
  });
  await applyProject(services.database, project(), clock.now());
  const events = customers.map((c) => ({
    id: `consent-${c.id}`,
    type: 'consent.granted',
    occurred_at: '2026-09-01T10:00:00Z',
    contact: { id: c.id, email: `${c.id.toLowerCase()}@example.com`, attributes: { acquisition_channel: c.channel } },
    properties: { purpose: 'email.marketing' },
  }));
  expect((await services.app.request('/v1/events/batch', authed({ events }))).status).toBe(202);
  for (const c of customers)
    for (const [month, total] of c.orders) {
      const res = await services.app.request(
        '/v1/orders',
        authed({ order_id: `${c.id}-${month}`, total, currency: 'EUR', contact: { id: c.id }, occurred_at: `2026-${month}-10T10:00:00Z` }),
      );
      expect(res.status, await res.clone().text()).toBe(202);
    }
  await services.tick(clock.now());
  await services.tick(clock.now());
});

describe(`customer analytics on a hand-computed data set on ${backend}`, () => {
  it('every stage and RFM cell is the hand-computed one, and the stage is the contact’s lifecycle_stage', async () => {
    const rows = await query<{
      id: string;
      stage: string;
      lifecycle_stage: string;
      rfm: string | null;
      r: number | null;
      f: number | null;
    }>(
      t.database,
      sql`select c.external_id as id, m.stage, c.lifecycle_stage, m.rfm, m.r, m.f
          from customer_metrics m join contacts c on c.id = m.contact_id order by c.external_id`,
    );
    const stage = Object.fromEntries(rows.map((r) => [r.id, r.stage]));
    expect(stage).toEqual({
      A: 'loyal',
      B: 'repeat',
      C: 'new',
      D: 'repeat',
      E: 'repeat',
      F: 'new',
      G: 'new',
      H: 'new',
      I: 'loyal',
      J: 'repeat',
      K: 'new',
      L: 'prospect',
    });
    expect(rows.every((r) => r.lifecycle_stage === r.stage)).toBe(true);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.rfm && `${r.r}${r.f} ${r.rfm}`]))).toEqual({
      A: '45 loyal',
      B: '23 at_risk',
      C: '11 hibernating',
      D: '43 potential_loyalist',
      E: '43 potential_loyalist',
      F: '21 hibernating',
      G: '41 promising',
      H: '41 promising',
      I: '45 loyal',
      J: '43 potential_loyalist',
      K: '11 hibernating',
      L: null,
    });
    const view = await get<{ stages: Array<{ stage: string; contacts: number; revenue: number }>; customers: number }>(
      '/v1/analytics/lifecycle',
    );
    expect(view.customers).toBe(11);
    expect(view.stages.map((s) => [s.stage, s.contacts, s.revenue])).toEqual([
      ['prospect', 1, 0],
      ['new', 5, 200],
      ['repeat', 4, 325],
      ['loyal', 2, 620],
      ['churning', 0, 0],
      ['lost', 0, 0],
    ]);
  });

  it('retention and R = N·V·L per month, reconciled with total revenue to the cent, the change split by LMDI', async () => {
    const r = await get<{
      periods: string[];
      timezone: string;
      rnvl: Array<{
        period: string;
        N: number | null;
        V: number | null;
        L: number | null;
        R: number | null;
        reconciliation: { total: number; retained: number; new: number; reactivated: number; reconciled: boolean };
        decomposition: { method: string | null; delta: number | null; rounded: { N: number; V: number; L: number } | null };
      }>;
      cohorts: Array<{ cohort: string; size: number; cells: Array<{ k: number; active: number; share: number }> }>;
      byCohort: Array<{
        key: string;
        periods: Array<{
          period: string;
          N: number | null;
          L: number | null;
          R: number | null;
          reconciliation: { new: number; reactivated: number };
        }>;
      }>;
      bySegment: Array<{
        key: string;
        periods: Array<{
          period: string;
          N: number | null;
          L: number | null;
          R: number | null;
          reconciliation: { new: number; reactivated: number };
        }>;
      }>;
    }>('/v1/analytics/retention?period=month');
    expect(r.timezone).toBe('Europe/Warsaw');
    expect(r.periods).toEqual(['2026-10', '2026-11', '2026-12']);
    const [oct, nov, dec] = r.rnvl;
    expect(oct).toMatchObject({ period: '2026-10', N: null, R: null, reconciliation: { total: 445, new: 445 } });
    expect(nov).toMatchObject({
      N: 6,
      L: 0.5,
      V: 70,
      R: 210,
      reconciliation: { total: 335, retained: 210, new: 125, reactivated: 0, reconciled: true },
    });
    expect(dec).toMatchObject({
      N: 6,
      V: 58.75,
      R: 235,
      reconciliation: { total: 365, retained: 235, new: 105, reactivated: 25, reconciled: true },
    });
    expect(dec!.L).toBeCloseTo(4 / 6, 12);
    expect(dec!.decomposition).toMatchObject({ method: 'lmdi', delta: 25, rounded: { N: 0, V: -38.94, L: 63.94 } });
    // Per acquisition cohort: October's six — in November N 6, kept A B I (R 210); in December N 3, kept A I
    // (70 + 100 = 170, L 2/3) and D came back (25). Per segment: facebook's customers never came back (L 0).
    const cohort = (key: string) => r.byCohort.find((g) => g.key === key)!.periods;
    expect(cohort('2026-10').map((p) => [p.period, p.N, p.R, p.reconciliation.reactivated])).toEqual([
      ['2026-10', null, null, 0],
      ['2026-11', 6, 210, 0],
      ['2026-12', 3, 170, 25],
    ]);
    const facebook = r.bySegment.find((g) => g.key === 'facebook')!.periods;
    expect(facebook.map((p) => [p.period, p.N, p.L, p.R, p.reconciliation.new])).toEqual([
      ['2026-10', null, null, null, 85],
      ['2026-11', 2, 0, 0, 10],
      ['2026-12', 1, 0, 0, 15],
    ]);
    expect(r.cohorts.map((c) => [c.cohort, c.size, c.cells.map((x) => x.active)])).toEqual([
      ['2026-10', 6, [6, 3, 3]],
      ['2026-11', 3, [3, 2]],
      ['2026-12', 2, [2]],
    ]);
  });

  it('a period that is not month, quarter or year is a 400 naming the parameter; the views need the API key', async () => {
    const res = await services.app.request('/v1/analytics/retention?period=week', { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { details: { parameter: 'period' } } });
    for (const path of ['/v1/analytics/lifecycle', '/v1/analytics/retention', '/v1/analytics/value', '/analytics'])
      expect((await services.app.request(path)).status, path).toBe(401);
  });

  it('customer value after the configured costs: the unprofitable, the top 20 % share, per segment', async () => {
    const v = await get<{
      pareto: {
        customers: number;
        revenue: number;
        top20Share: number;
        unprofitable: { customers: number; value: number };
        segments: Array<{ segment: string | null; customers: number; revenue: number; value: number }>;
      };
    }>('/v1/analytics/value');
    expect(v.pareto.customers).toBe(11);
    expect(v.pareto.revenue).toBe(1145);
    expect(v.pareto.unprofitable).toMatchObject({ customers: 3, value: -50 });
    expect(v.pareto.top20Share).toBeCloseTo(720 / 1145, 10);
    // facebook: C F H K revenue 110, costs 4 × 30 + 4 × 5 = 140 → −30; google: 7 customers, 1 035 − 15 orders × 5 = 960.
    expect(v.pareto.segments.map((s) => [s.segment, s.customers, s.revenue, s.value])).toEqual([
      ['facebook', 4, 110, -30],
      ['google', 7, 1035, 960],
    ]);
  });

  it('rfm:, customer.* and predicted.* conditions select the same contacts in SQL and in memory', async () => {
    const contacts = await query<{ id: string | number; external_id: string }>(t.database, sql`select id, external_id from contacts`);
    const name = new Map(contacts.map((c) => [Number(c.id), c.external_id]));
    const now = clock.now();
    const cases: Array<[Condition, string[]]> = [
      [{ kind: 'rfm', cells: ['hibernating'] }, ['C', 'F', 'K']],
      [{ kind: 'lifecycle', stages: ['loyal'] }, ['A', 'I']],
      [{ kind: 'attribute', scope: 'customer', path: ['orders'], op: 'gte', value: 3 }, ['A', 'I']],
      [{ kind: 'attribute', scope: 'customer', path: ['value'], op: 'lt', value: 0 }, ['C', 'F', 'H']],
      // Eleven customers over two months show nobody dropping out yet: the model declines honestly, and each
      // customer says why (fitted predictions are tested on synthetic bases in tests/analytics/predict/).
      [
        { kind: 'attribute', scope: 'customer', path: ['predicted', 'reason'], op: 'contains', value: 'not enough history' },
        ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K'],
      ],
      // L, a prospect from a free channel, is worth 0: not below it.
      [{ kind: 'attribute', scope: 'customer', path: ['stage'], op: 'is', value: 'prospect' }, ['L']],
    ];
    for (const [condition, expected] of cases) {
      const ids = await t.database.db.transaction((tx) => selectMatchingContactIds(tx, condition, { now }));
      expect(ids.map((id) => name.get(id)).sort(), JSON.stringify(condition)).toEqual(expected);
      const facts = await t.database.db.transaction((tx) => loadFacts(tx, [...name.keys()], { now }));
      const inMemory = [...facts.values()].filter((f) => evaluate(condition, f, now)).map((f) => f.contact.external_id);
      expect(inMemory.sort(), JSON.stringify(condition)).toEqual(expected);
    }
    // Every customer has predictions or the honest reason why not.
    const predicted = await query<{ predicted: Record<string, unknown> | null }>(
      t.database,
      sql`select predicted from customer_metrics where orders > 0`,
    );
    for (const p of predicted) {
      expect(p.predicted).not.toBeNull();
      if ('reason' in p.predicted!) expect(p.predicted!.reason).toMatch(/not enough history/);
      else {
        expect(p.predicted!.churn_risk as number).toBeGreaterThanOrEqual(0);
        expect(p.predicted!.churn_risk as number).toBeLessThanOrEqual(1);
        expect(p.predicted!.expected_orders as number).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('the first look emits no lifecycle.changed; time alone makes C and K churning, which emits the event and starts their journey', async () => {
    const changes = () =>
      query<{ id: string; from: string; to: string }>(
        t.database,
        sql`select c.external_id as id, e.properties->>'from' as "from", e.properties->>'to' as "to"
            from events e join contacts c on c.id = e.contact_id where e.type = 'lifecycle.changed' order by c.external_id`,
      );
    expect(await changes()).toEqual([]);
    const feb = at('2027-02-20T12:00:00Z');
    clock.set(feb);
    await services.tick(feb);
    expect(await changes()).toEqual([
      { id: 'C', from: 'new', to: 'churning' },
      { id: 'K', from: 'new', to: 'churning' },
    ]);
    await services.tick(feb);
    await services.tick(new Date(feb.getTime() + 60_000));
    const runs = await query<{ id: string }>(
      t.database,
      sql`select c.external_id as id from runs r join contacts c on c.id = r.contact_id where r.campaign = 'churn-alert' order by 1`,
    );
    expect(runs.map((r) => r.id)).toEqual(['C', 'K']);
    const view = await get<{ flows: Array<{ from: string; to: string; contacts: number }> }>('/v1/analytics/lifecycle');
    expect(view.flows).toEqual([{ from: 'new', to: 'churning', contacts: 2 }]);
    // The sample template reads what analytics knows (`customer.orders`).
    const [mail] = await outbox(services, { to: 'c@example.com' });
    expect(mail?.text).toContain('Thank you for your 1 order(s) with us so far.');
  });

  it('GET /analytics and almanac analytics show the same numbers', async () => {
    const page = await (await services.app.request(`/analytics?key=${API_KEY}`)).text();
    expect(page).toContain('Customer analytics');
    expect(page).toContain('<svg id="rnvl"');
    expect(page).toContain('<table id="cohorts"');
    expect(page).toContain('<svg id="pareto"');
    expect(page).toMatch(/churning/);
    const cli = await almanacCli(['analytics', '--period', 'month', '--now', '2027-02-20T12:00:00Z'], { local: t.database });
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toMatch(/2026-12 .*\b6\b.*58\.75.*235\.00.*105\.00.*25\.00.*365\.00.*-38\.94.*63\.94.*lmdi/);
    expect(cli.out).toMatch(/churning\s+2/);
  });
  it.skipIf(!has('chromium', 'the analytics page in headless Chromium'))(
    'the analytics page in Chromium: tiles, the stage chart, R = N·V·L bars, the cohort heat map and the Pareto curve, each with its numbers',
    async () => {
      const server = await serveOnFreePort(services.app.fetch);
      const browser = await launchChromium();
      try {
        mkdirSync('test-artifacts', { recursive: true });
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        expect((await page.goto(`${server.base}/analytics?key=${API_KEY}`))!.status()).toBe(200);
        expect(await page.locator('h1').textContent()).toBe('Customer analytics');
        expect(await page.locator('.tile').allTextContents()).toContain('11customers');
        expect(
          await page.getByRole('img', { name: /contacts per lifecycle stage: prospect 1, new 3, repeat 4, loyal 2, churning 2/ }).count(),
        ).toBe(1);
        expect(await page.getByRole('img', { name: /revenue per month: 2026-10 445\.00/ }).count()).toBe(1);
        expect(await page.getByRole('img', { name: /top 20 % of customers bring 62\.9 %/ }).count()).toBe(1);
        const heat = page.locator('#cohorts');
        expect(await heat.getByRole('rowheader', { name: '2026-10' }).count()).toBe(1);
        expect(await heat.locator('td').filter({ hasText: '50.0 %' }).count()).toBeGreaterThanOrEqual(2);
        // The period switch is a link a keyboard reaches.
        await page.getByRole('link', { name: 'quarter' }).focus();
        await page.keyboard.press('Enter');
        await page.waitForURL(/period=quarter/);
        expect(await page.getByRole('img', { name: /revenue per quarter: 2026-Q4 1,145\.00/ }).count()).toBe(1);
        await page.screenshot({ path: 'test-artifacts/analytics.png', fullPage: true });
        expect((await page.goto(`${server.base}/analytics`))!.status()).toBe(401);
      } finally {
        await browser.close();
        await server.close();
      }
    },
  );
});
