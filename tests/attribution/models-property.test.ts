import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attribute, MODELS } from '../../src/attribution/models';
import { toMinor } from '../../src/attribution/money';
import { DAY_MS, type OrderFact, type Touch, type Windows } from '../../src/attribution/types';

const T = Date.parse('2026-11-28T12:00:00Z');
const campaigns = ['a', 'b', 'c'];

const touch = fc.record({
  kind: fc.constantFrom<Touch['kind']>('click', 'open', 'utm'),
  // Within ±8 days of the order, on a coarse grid so ties are frequent.
  at: fc.integer({ min: -8 * 24, max: 8 * 24 }).map((h) => new Date(T - h * 3_600_000)),
  campaign: fc.constantFrom(...campaigns),
  sendId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
  network: fc.option(fc.constantFrom('facebook', 'sms'), { nil: undefined }),
  bot: fc.option(fc.boolean(), { nil: undefined }),
  machine: fc.option(fc.boolean(), { nil: undefined }),
});

const windowsArb = fc.record({ clickMs: fc.integer({ min: 0, max: 10 * DAY_MS }), openMs: fc.integer({ min: 0, max: 3 * DAY_MS }) });

const caseArb = fc.record({
  touches: fc.array(touch, { maxLength: 10 }),
  cents: fc.integer({ min: 0, max: 100_000_000 }),
  currency: fc.constantFrom('PLN', 'EUR', 'JPY', 'KWD'),
  utmCampaign: fc.option(fc.constantFrom('a', 'b', 'c', ''), { nil: null }),
  windows: fc.dictionary(fc.constantFrom(...campaigns), windowsArb),
  halfLifeMs: fc.integer({ min: 60_000, max: 10 * DAY_MS }),
});

describe('attribute (property)', () => {
  it('per model: no credit, or weights summing to 1 ± 1e-9 and minor units summing exactly to the revenue', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const digits = { PLN: 2, EUR: 2, JPY: 0, KWD: 3 }[c.currency]!;
        const order: OrderFact = {
          id: 9,
          at: new Date(T),
          revenue: c.cents / 10 ** digits,
          currency: c.currency,
          contactId: null,
          utmCampaign: c.utmCampaign,
        };
        const windows = (name: string): Windows => c.windows[name] ?? { clickMs: 5 * DAY_MS, openMs: DAY_MS };
        const result = attribute(order, c.touches, { windows, halfLifeMs: c.halfLifeMs });
        for (const model of MODELS) {
          const credits = result[model];
          if (credits.length === 0) continue;
          const weight = credits.reduce((a, x) => a + x.weight, 0);
          expect(Math.abs(weight - 1)).toBeLessThanOrEqual(1e-9);
          expect(credits.reduce((a, x) => a + x.revenueMinor, 0)).toBe(toMinor(order.revenue, order.currency));
          for (const x of credits) {
            expect(x.weight).toBeGreaterThan(0);
            expect(x.weight).toBeLessThanOrEqual(1 + 1e-12);
            expect(Number.isInteger(x.revenueMinor) && x.revenueMinor >= 0).toBe(true);
            expect(x.model).toBe(model);
          }
        }
        // Single-touch models credit exactly one touch.
        for (const model of ['last_click', 'first_click', 'utm'] as const) expect(result[model].length).toBeLessThanOrEqual(1);
        // The click models agree on whether there is credit at all.
        const has = (['last_click', 'first_click', 'linear', 'time_decay'] as const).map((m) => result[m].length > 0);
        expect(new Set(has).size).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order of the touches', () => {
    fc.assert(
      fc.property(caseArb, fc.func(fc.integer()), (c, key) => {
        const order: OrderFact = {
          id: 1,
          at: new Date(T),
          revenue: c.cents / 100,
          currency: 'EUR',
          contactId: 1,
          utmCampaign: c.utmCampaign,
        };
        const options = { windows: (): Windows => ({ clickMs: 5 * DAY_MS, openMs: DAY_MS }), halfLifeMs: c.halfLifeMs };
        const shuffled = c.touches
          .map((t, i) => ({ t, k: key(i) }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.t);
        expect(attribute(order, shuffled, options)).toEqual(attribute(order, c.touches, options));
      }),
      { numRuns: 300 },
    );
  });
});
