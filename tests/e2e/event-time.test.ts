import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import type { Services } from '../../src/runtime/services';
import { runSimulation } from '../../src/runtime/simulation';
import { parseNdjson, type SimulationInput } from '../../src/simulate/input';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, MINUTE, at, plus, query } from '../helpers/engine';
import { authed } from '../http/ingest-app';
import { openRuntime, outbox, sampleProject, virtualClock } from './runtime';

/**
 * Issue 11, "event time, not processing time", through HTTP and the runtime on a virtual clock:
 * a trigger's clock starts at the event's `occurred_at`, and an event older than the trigger's
 * `within` (24 h for the sample abandoned cart) when it arrives starts nothing — counted.
 */
const t = useTestDatabase('e2e_event_time');
const T0 = at('2026-11-25T11:00:00Z'); // a Wednesday, 12:00 in Warsaw
const clock = virtualClock(plus(T0, -DAY));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock);
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }), clock.now());
});

const contact = (id: string) => ({ id, email: `${id}@example.com`, timezone: 'Europe/Warsaw' });
async function post(when: Date, events: unknown[]) {
  clock.set(when);
  return services.app.request('/v1/events/batch', authed({ events }));
}
async function tickAt(when: Date) {
  for (const now of [when, plus(when, 1000)]) {
    clock.set(now);
    await services.tick(now);
  }
}
const checkout = (id: string, occurred: Date) => ({
  id: `${id}-checkout`,
  type: 'checkout.started',
  occurred_at: occurred.toISOString(),
  contact: contact(id),
  properties: { checkout_id: `k-${id}`, total: 64, currency: 'EUR', items: [{ product_id: 'p1', title: 'Mug', quantity: 1, price: 64 }] },
});
const consent = (id: string, occurred: Date) => ({
  id: `${id}-consent`,
  type: 'consent.granted',
  occurred_at: occurred.toISOString(),
  contact: contact(id),
  properties: { purpose: 'email.marketing', source: 'test' },
});
const runsOf = (id: string) =>
  query<{ status: string; next_wake_at: string | null }>(
    t.database,
    sql`select r.status, r.next_wake_at from runs r join contacts c on c.id = r.contact_id where c.external_id = ${id}`,
  );

describe(`event time, not processing time, on ${backend}`, () => {
  it('a checkout that happened three weeks ago and arrives today starts no journey, and the skip is counted', async () => {
    expect((await post(plus(T0, -DAY), [consent('old', plus(T0, -30 * DAY))])).status).toBe(202);
    await tickAt(plus(T0, -DAY));
    expect((await post(T0, [checkout('old', plus(T0, -21 * DAY))])).status).toBe(202);
    await tickAt(T0);
    expect(await runsOf('old')).toEqual([]);
    const skips = await query<{ campaign: string; reason: string }>(t.database, sql`select campaign, reason from trigger_skips`);
    expect(skips).toEqual([{ campaign: 'abandoned-cart', reason: 'stale event: arrived 21d after it happened (trigger within 1d)' }]);
    expect(await services.metrics.render()).toContain('almanac_entries_total{campaign="abandoned-cart",outcome="stale_event"} 1');
    await tickAt(plus(T0, 2 * HOUR));
    expect(await outbox(services, { to: 'old@' })).toEqual([]);
  });

  it('a checkout that happened 30 minutes before it arrived: the reminder goes 30 minutes after arrival', async () => {
    const arrived = plus(T0, 2 * DAY);
    const happened = plus(arrived, -30 * MINUTE);
    expect((await post(plus(arrived, -HOUR), [consent('late', plus(arrived, -HOUR))])).status).toBe(202);
    await tickAt(plus(arrived, -HOUR));
    expect((await post(arrived, [checkout('late', happened)])).status).toBe(202);
    await tickAt(arrived);
    const [run] = await runsOf('late');
    expect(run?.status).toBe('active');
    expect(new Date(run!.next_wake_at!)).toEqual(plus(happened, HOUR)); // `wait: 1h` from when it happened
    await tickAt(plus(arrived, 29 * MINUTE));
    expect(await outbox(services, { to: 'late@' })).toEqual([]);
    await tickAt(plus(arrived, 30 * MINUTE));
    const mails = await outbox(services, { to: 'late@' });
    expect(mails).toHaveLength(1);
    expect(new Date(mails[0]!.created_at)).toEqual(plus(arrived, 30 * MINUTE));
  });

  it('an event dated more than 5 minutes in the future is refused, naming the field', async () => {
    const now = plus(T0, 3 * DAY);
    const res = await post(now, [checkout('future', plus(now, HOUR))]);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('occurred_at');
    expect(await runsOf('future')).toEqual([]);
  });
});

describe('event time in almanac simulate', () => {
  it('a line with a late received_at replays a backfill: a stale checkout is a skipped line, a fresh one counts from when it happened', async () => {
    const FROM = at('2026-11-25T00:00:00Z');
    const lines = [
      consent('sam', plus(FROM, -DAY)),
      { ...checkout('stale', plus(FROM, -21 * DAY)), received_at: plus(FROM, HOUR).toISOString() },
      consent('stale', plus(FROM, -30 * DAY)),
      { ...checkout('sam', plus(FROM, 10 * HOUR)), received_at: plus(FROM, 10 * HOUR + 30 * MINUTE).toISOString() },
    ];
    const input: SimulationInput = { events: [], contacts: [] };
    parseNdjson('late.ndjson', lines.map((l) => JSON.stringify(l)).join('\n'), input, FROM);
    const { timeline } = await runSimulation({
      project: sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }),
      input,
      from: FROM,
      to: plus(FROM, DAY),
      templatesDir: join(process.cwd(), 'templates'),
    });
    const lineOf = (e: (typeof timeline)[number]) => `${e.time} ${e.contact} ${e.outcome} ${e.detail}`.trim();
    expect(timeline.filter((e) => e.contact === 'stale').map(lineOf)).toEqual([
      '2026-11-25T01:00:00Z stale skipped stale event: arrived 21d after it happened (trigger within 1d)',
    ]);
    expect(timeline.filter((e) => e.contact === 'sam' && e.step !== '-').map(lineOf)[0]).toBe(
      '2026-11-25T11:00:00Z sam sent cart-reminder',
    );
  });
});
