import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { createLocalAdmin } from '../../src/cli/admin-local';
import type { CliEngine } from '../../src/cli/command';
import { compileSources } from '../../src/dsl/compile/index';
import type { ForecastComparison } from '../../src/forecast/compare';
import { createCliEngine, main } from '../../src/runtime/cli';
import { backend, useTestDatabase } from '../helpers/db';
import { at, engine, ingest, MINUTE, plus, query } from '../helpers/engine';

/**
 * Authoring issue: `almanac plan --forecast` with journeys in flight. Fourteen shoppers started a
 * checkout on Sunday at 16:00 in Warsaw; their cart reminders went out an hour later and their
 * runs now wait a day for a click (steps[2]), after which the last call goes out on Monday at 17:00.
 * The change drops that wait and what follows it: with `migrate: true` the runs on it exit and
 * Monday's last calls vanish from the forecast; without, they finish on version 1 and only the
 * future entries lose their last call.
 */
const t = useTestDatabase('plan_forecast_runs');
const APPLIED = at('2026-11-16T09:00:00Z');
const CHECKOUT = at('2026-11-22T15:00:00Z');
/** Monday 23 November 2026, 08:00 in Warsaw. */
const NOW = at('2026-11-23T07:00:00Z');
const SHOPPERS = 14;

let dir = '';
let waiting = 0;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'almanac-plan-forecast-runs-'));
  cpSync('campaigns', join(dir, 'campaigns'), { recursive: true });
  cpSync('templates', join(dir, 'templates'), { recursive: true });
  const files = readdirSync('campaigns').map((f) => ({ path: `campaigns/${f}`, text: readFileSync(join('campaigns', f), 'utf8') }));
  const compiled = compileSources(files, readdirSync('templates'));
  if (!compiled.ok) throw new Error('the samples do not compile');
  await applyProject(t.database, compiled.project, APPLIED);
  const ids = Array.from({ length: SHOPPERS }, (_, i) => `shopper-${i}`);
  const contact = (id: string) => ({ id, email: `${id}@example.com`, timezone: 'Europe/Warsaw' });
  await ingest(
    t.database,
    ids.map((id) => ({
      id: `${id}-consent`,
      type: 'consent.granted',
      occurred_at: APPLIED.toISOString(),
      contact: contact(id),
      properties: { purpose: 'email.marketing', source: 'test' },
    })),
    APPLIED,
  );
  const checkouts = ids.map((id, i) => ({
    id: `${id}-checkout`,
    type: 'checkout.started',
    occurred_at: CHECKOUT.toISOString(),
    contact: { id },
    properties: { checkout_id: `k-${i}`, total: 50, currency: 'EUR' },
  }));
  await ingest(t.database, checkouts, CHECKOUT);
  const e = engine(t.database, { dispatch: true });
  for (const minutes of [0, 60, 61, 62]) await e.tick(plus(CHECKOUT, minutes * MINUTE));
  const [row] = await query<{ n: number }>(
    t.database,
    sql`select count(*)::int as n from runs where status = 'active' and state->>'phase' = 'awaiting' and state->>'at' = 'steps[2]'`,
  );
  waiting = row!.n;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function planJson(cart: string) {
  writeFileSync(join(dir, 'campaigns', 'abandoned-cart.yaml'), cart);
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliEngine = { ...createCliEngine(), now: () => NOW, admin: (config) => createLocalAdmin(config, (_c, fn) => fn(t.database)) };
  const code = await main(['plan', '--forecast', '--json'], {
    env: {},
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    cwd: dir,
    engine: cli,
  });
  expect(code, err.join('')).toBe(0);
  const json = JSON.parse(out.join('')) as {
    forecast: ForecastComparison;
    changes: Array<{ steps?: Array<{ key: string; runs: number }> }>;
  };
  return { ...json, cart: json.forecast.campaigns.find((c) => c.campaign === 'abandoned-cart')! };
}

describe(`almanac plan --forecast with runs in flight, on ${backend}`, () => {
  const sample = readFileSync('campaigns/abandoned-cart.yaml', 'utf8');
  const shorter = sample.slice(0, sample.indexOf('  - wait_until'));

  it('migrate: true — the runs on the removed step exit, so Monday loses their last calls', async () => {
    expect(waiting).toBeGreaterThan(SHOPPERS / 2); // the rest are held out (10 %)
    const plan = await planJson(shorter.replace('holdout: 10%', 'holdout: 10%\nmigrate: true'));
    expect(plan.changes[0]!.steps!.find((s) => s.key === 'steps[2]')!.runs).toBe(waiting);
    const monday = plan.cart.days.find((d) => d.date === '2026-11-23')!;
    expect(monday.before - monday.after).toBe(waiting);
    expect(plan.cart.after).toBeLessThan(plan.cart.before - waiting); // and the future entries send one mail, not two
  });

  it('without migrate — they finish on version 1: Monday stays, the later days lose the future entries’ last calls', async () => {
    const plan = await planJson(shorter);
    expect(plan.cart.days.find((d) => d.date === '2026-11-23')).toBeUndefined();
    expect(plan.cart.days.length).toBeGreaterThan(20);
    expect(plan.cart.days.every((d) => d.after < d.before)).toBe(true);
  });

  it('and with nothing changed, the journey’s forecast is the same on both sides', async () => {
    const plan = await planJson(sample);
    expect(plan.cart.days).toEqual([]);
    expect(plan.cart.before).toBe(plan.cart.after);
    expect(plan.cart.before).toBeGreaterThan(waiting);
  });
});
