import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { attribute, MODELS } from '../../src/attribution/models';
import { dayFormatter, mergeRollups, negateRollup, rollup, type RollupRow } from '../../src/attribution/rollup';
import { DEFAULT_WINDOWS, type Credit, type OrderFact, type Touch } from '../../src/attribution/types';

const HOUR = 3_600_000;
const defaults = { windows: () => DEFAULT_WINDOWS };

/** Orders and the credits of all their models, from one click each on `campaign`. */
function credited(orders: OrderFact[], campaign = 'welcome'): { credits: Credit[]; orderAt: Map<number, Date> } {
  const credits = orders.flatMap((o) => {
    const touch: Touch = { kind: 'click', at: new Date(o.at.getTime() - HOUR), campaign, sendId: 1 };
    return MODELS.flatMap((m) => attribute(o, [touch], defaults)[m]);
  });
  return { credits, orderAt: new Map(orders.map((o) => [o.id, o.at])) };
}

const order = (id: number, at: string, revenue: number, currency = 'PLN'): OrderFact => ({
  id,
  at: new Date(at),
  revenue,
  currency,
  contactId: id,
});
const lastClick = (rows: RollupRow[]): Array<[string, number, number]> =>
  rows.filter((r) => r.model === 'last_click').map((r) => [r.day, r.orders, r.revenueMinor]);

// Winter (CET, UTC+1): 22:59:59Z is still the 28th in Warsaw, 23:30Z already the 29th. Summer (CEST, UTC+2): 22:30Z is the next day.
const orders = [
  order(1, '2026-11-28T22:59:59Z', 10),
  order(2, '2026-11-28T23:30:00Z', 20),
  order(3, '2026-11-29T10:00:00Z', 30),
  order(4, '2026-07-01T22:30:00Z', 40),
];

describe('rollup by zone', () => {
  const { credits, orderAt } = credited(orders);

  it('puts an order after local midnight on the next Warsaw day, but on the UTC day in UTC', () => {
    expect(lastClick(rollup(credits, orderAt, 'Europe/Warsaw'))).toEqual([
      ['2026-07-02', 1, 4000],
      ['2026-11-28', 1, 1000],
      ['2026-11-29', 2, 5000],
    ]);
    expect(lastClick(rollup(credits, orderAt, 'UTC'))).toEqual([
      ['2026-07-01', 1, 4000],
      ['2026-11-28', 2, 3000],
      ['2026-11-29', 1, 3000],
    ]);
  });

  it('has one row per (campaign, model, day, currency, network), orders as summed weights', () => {
    const rows = rollup(credits, orderAt, 'UTC');
    // utm has no credit (no utm_campaign), so four models × three days.
    expect(rows).toHaveLength(4 * 3);
    expect(rows[0]).toEqual({
      campaign: 'welcome',
      model: 'first_click',
      day: '2026-07-01',
      currency: 'PLN',
      network: null,
      orders: 1,
      revenueMinor: 4000,
      revenue: 40,
    });
  });

  it('never sums currencies: EUR gets its own row on the same day', () => {
    const mixed = credited([order(1, '2026-11-28T10:00:00Z', 10), order(2, '2026-11-28T11:00:00Z', 5, 'EUR')]);
    const rows = rollup(mixed.credits, mixed.orderAt, 'UTC').filter((r) => r.model === 'linear');
    expect(rows.map((r) => [r.currency, r.revenue])).toEqual([
      ['EUR', 5],
      ['PLN', 10],
    ]);
  });

  it('does not depend on process.env.TZ', () => {
    const warsaw = rollup(credits, orderAt, 'Europe/Warsaw');
    const utc = rollup(credits, orderAt, 'UTC');
    const saved = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Kolkata']) {
        process.env.TZ = tz;
        // The change of process zone took effect (local hours differ from UTC) ...
        expect(new Date('2026-11-28T23:30:00Z').getHours()).not.toBe(23);
        // ... and the rollups did not move.
        expect(rollup(credits, orderAt, 'Europe/Warsaw')).toEqual(warsaw);
        expect(rollup(credits, orderAt, 'UTC')).toEqual(utc);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(new Date('2026-11-28T23:30:00Z').getHours()).toBe(23);
  });

  it('formats days in the zone and refuses unknown zones or missing orders', () => {
    expect(dayFormatter('Pacific/Kiritimati')(new Date('2026-12-31T10:00:00Z'))).toBe('2027-01-01');
    expect(dayFormatter('America/Los_Angeles')(new Date('2026-01-01T07:59:59Z'))).toBe('2025-12-31');
    expect(() => rollup(credits, orderAt, 'Mars/Olympus')).toThrow(AppError);
    expect(() => rollup(credits, new Map(), 'UTC')).toThrow(/orderAt/);
  });
});

describe('mergeRollups', () => {
  it('adds increments: the rollup of everything equals the merge of the rollups of the parts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            hours: fc.integer({ min: 0, max: 24 * 10 }),
            cents: fc.integer({ min: 0, max: 1_000_000 }),
            part: fc.integer({ min: 0, max: 2 }),
          }),
          {
            maxLength: 30,
          },
        ),
        (specs) => {
          const all = specs.map((s, i) => ({
            ...order(i + 1, '2026-11-25T00:00:00Z', s.cents / 100),
            at: new Date(Date.parse('2026-11-25T00:00:00Z') + s.hours * HOUR),
          }));
          const whole = credited(all);
          const parts = [0, 1, 2].map((p) => {
            const subset = credited(all.filter((_, i) => specs[i]!.part === p));
            return rollup(subset.credits, subset.orderAt, 'Europe/Warsaw');
          });
          const merged = mergeRollups(parts[0]!, parts[1]!, parts[2]!);
          const direct = rollup(whole.credits, whole.orderAt, 'Europe/Warsaw');
          expect(merged.map((r) => ({ ...r, orders: Number(r.orders.toFixed(9)) }))).toEqual(
            direct.map((r) => ({ ...r, orders: Number(r.orders.toFixed(9)) })),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('recomputes a refunded order by adding its old rows negated and its new rows', () => {
    const before = credited([order(1, '2026-11-28T10:00:00Z', 100), order(2, '2026-11-28T11:00:00Z', 50)]);
    const stored = rollup(before.credits, before.orderAt, 'UTC');
    const old = credited([order(2, '2026-11-28T11:00:00Z', 50)]);
    const refunded = credited([order(2, '2026-11-28T11:00:00Z', 20)]);
    const updated = mergeRollups(
      stored,
      negateRollup(rollup(old.credits, old.orderAt, 'UTC')),
      rollup(refunded.credits, refunded.orderAt, 'UTC'),
    );
    expect(lastClick(updated)).toEqual([['2026-11-28', 2, 12000]]);
    expect(updated.find((r) => r.model === 'last_click')!.revenue).toBe(120);
  });

  it('drops rows that cancel out entirely', () => {
    const { credits, orderAt } = credited([order(1, '2026-11-28T10:00:00Z', 100)]);
    const rows = rollup(credits, orderAt, 'UTC');
    expect(mergeRollups(rows, negateRollup(rows))).toEqual([]);
    expect(mergeRollups([], rows)).toEqual(rows);
  });
});
