import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { attribute, eligibleTouches, MODELS } from '../../src/attribution/models';
import { netRevenue } from '../../src/attribution/money';
import {
  DAY_MS,
  DEFAULT_WINDOWS,
  windowsOf,
  type Credit,
  type Model,
  type OrderFact,
  type Touch,
  type Windows,
} from '../../src/attribution/types';

const HOUR = 3_600_000;
const T = new Date('2026-11-28T12:00:00Z');
const before = (ms: number): Date => new Date(T.getTime() - ms);
const defaults = { windows: (): Windows => DEFAULT_WINDOWS };
const order = (over: Partial<OrderFact> = {}): OrderFact => ({
  id: 1,
  at: T,
  revenue: 100,
  currency: 'PLN',
  contactId: 7,
  utmCampaign: null,
  ...over,
});
const click = (campaign: string, sendId: number | null, ago: number, extra: Partial<Touch> = {}): Touch => ({
  kind: 'click',
  at: before(ago),
  campaign,
  sendId,
  ...extra,
});
const open = (campaign: string, sendId: number | null, ago: number, extra: Partial<Touch> = {}): Touch => ({
  ...click(campaign, sendId, ago, extra),
  kind: 'open',
});
/** [campaign, sendId, weight rounded to 6 places, revenueMinor] per credit: the split, readable. */
const split = (credits: Credit[]): Array<[string, number | null, number, number]> =>
  credits.map((c) => [c.campaign, c.sendId, Number(c.weight.toFixed(6)), c.revenueMinor]);
const empty = (r: Record<Model, Credit[]>, models: Model[]): void => {
  for (const m of models) expect(r[m], m).toEqual([]);
};

describe('attribute: two campaigns, one order', () => {
  // Order 100.00 PLN at T. welcome: clicks 3 d (send 1) and 12 h (send 3) before; black-friday: an open 2 d
  // before (outside its 1 d open window, and clicks exist anyway) and a click 1 d before (send 2).
  const touches = [
    click('welcome', 1, 3 * DAY_MS),
    open('black-friday', 2, 2 * DAY_MS),
    click('black-friday', 2, DAY_MS),
    click('welcome', 3, 12 * HOUR),
  ];
  const r = attribute(order(), touches, defaults);

  it('lists the models', () => {
    expect(MODELS).toEqual(['last_click', 'first_click', 'linear', 'time_decay', 'utm']);
    expect(Object.keys(r).sort()).toEqual([...MODELS].sort());
  });

  it('last click: welcome send 3 (12 h before) takes it all', () => {
    expect(split(r.last_click)).toEqual([['welcome', 3, 1, 10000]]);
    expect(r.last_click[0]).toMatchObject({
      orderId: 1,
      model: 'last_click',
      touch: 'click',
      revenue: 100,
      currency: 'PLN',
      network: null,
    });
  });

  it('first click: welcome send 1 (3 d before)', () => {
    expect(split(r.first_click)).toEqual([['welcome', 1, 1, 10000]]);
  });

  it('linear: a third each; 10000 cents = 3333.33 × 3, the odd cent to the first in (campaign, send) order', () => {
    expect(split(r.linear)).toEqual([
      ['black-friday', 2, 0.333333, 3334],
      ['welcome', 1, 0.333333, 3333],
      ['welcome', 3, 0.333333, 3333],
    ]);
  });

  it('time decay (half-life 1 d): 2^-2.5 : 2^-0.5 : 1 relative to the newest click', () => {
    // Ages 3 d, 1 d, 0.5 d → relative 2^-2.5 = 0.176777, 2^-0.5 = 0.707107, 2^0 = 1; sum 1.883883.
    // Weights: welcome#1 0.093836, black-friday#2 0.375345, welcome#3 0.530818.
    // Cents: 938.36, 3753.45, 5308.18 → floors 938 + 3753 + 5308 = 9999; the 1 left over goes to the largest
    // remainder (.45, black-friday) → 3754.
    expect(split(r.time_decay)).toEqual([
      ['black-friday', 2, 0.375345, 3754],
      ['welcome', 1, 0.093836, 938],
      ['welcome', 3, 0.530818, 5308],
    ]);
  });

  it('utm: nothing without a utm_campaign', () => {
    expect(r.utm).toEqual([]);
  });

  it('a shorter half-life moves weight to the newest click', () => {
    // Half-life 12 h: relative 2^-5, 2^-1, 1 → sum 1.53125; weights 0.020408, 0.326531, 0.653061.
    const fast = attribute(order(), touches, { ...defaults, halfLifeMs: 12 * HOUR });
    expect(split(fast.time_decay)).toEqual([
      ['black-friday', 2, 0.326531, 3265],
      ['welcome', 1, 0.020408, 204],
      ['welcome', 3, 0.653061, 6531],
    ]);
  });

  it('does not depend on the order of the touches', () => {
    expect(attribute(order(), [...touches].reverse(), defaults)).toEqual(r);
  });
});

describe('attribute: windows', () => {
  it('credits nothing when the only click is outside its window (5 d + 1 ms); 5 d exactly still counts', () => {
    empty(attribute(order(), [click('welcome', 1, 5 * DAY_MS + 1)], defaults), [...MODELS]);
    expect(split(attribute(order(), [click('welcome', 1, 5 * DAY_MS)], defaults).last_click)).toEqual([['welcome', 1, 1, 10000]]);
  });

  it('ignores touches after the order; a click at the order instant counts', () => {
    empty(attribute(order(), [click('welcome', 1, -1)], defaults), [...MODELS]);
    expect(split(attribute(order(), [click('welcome', 1, 0)], defaults).last_click)).toEqual([['welcome', 1, 1, 10000]]);
  });

  it('falls back to the last open within the 1 d open window only when there is no eligible click', () => {
    const opens = [open('welcome', 1, 20 * HOUR), open('black-friday', 2, 25 * HOUR)];
    const r = attribute(order(), opens, defaults);
    expect(split(r.last_click)).toEqual([['welcome', 1, 1, 10000]]);
    expect(r.last_click[0]!.touch).toBe('open');
    // With a click (even an older one) the opens are not used.
    const withClick = attribute(order(), [...opens, click('black-friday', 2, 4 * DAY_MS)], defaults);
    expect(split(withClick.last_click)).toEqual([['black-friday', 2, 1, 10000]]);
    expect(split(withClick.linear)).toEqual([['black-friday', 2, 1, 10000]]);
  });

  it("uses each touch's own campaign window (goal.attribution overrides the default)", () => {
    const windows = (c: string): Windows =>
      windowsOf(c === 'flash' ? { goal: { event: 'order.created', attribution: { clickMs: DAY_MS, openMs: HOUR } } } : undefined);
    const touches = [click('welcome', 1, 2 * DAY_MS), click('flash', 2, 2 * DAY_MS - 1)];
    expect(split(attribute(order(), touches, { windows }).last_click)).toEqual([['welcome', 1, 1, 10000]]);
    expect(windowsOf(undefined)).toEqual({ clickMs: 5 * DAY_MS, openMs: DAY_MS });
    expect(windowsOf({ goal: { event: 'x', attribution: { clickMs: 7, openMs: 3 } } })).toEqual({ clickMs: 7, openMs: 3 });
  });
});

describe('attribute: exclusions, refunds, UTM', () => {
  it('never credits a bot click or a machine open', () => {
    const touches = [
      click('welcome', 1, 2 * DAY_MS),
      click('black-friday', 2, HOUR, { bot: true }),
      open('black-friday', 2, 2 * HOUR, { machine: true }),
    ];
    const r = attribute(order(), touches, defaults);
    expect(split(r.last_click)).toEqual([['welcome', 1, 1, 10000]]);
    expect(split(r.linear)).toEqual([['welcome', 1, 1, 10000]]);
    expect(eligibleTouches(order(), touches, defaults.windows)).toHaveLength(1);
    // Only bots and machines: no credit at all.
    empty(attribute(order(), touches.slice(1), defaults), [...MODELS]);
  });

  it('credits the revenue left after refunds (120.00 − 20.00 − 0.50 = 99.50)', () => {
    const revenue = netRevenue(120, [20, 0.5], 'PLN');
    expect(revenue).toBe(99.5);
    const r = attribute(order({ revenue }), [click('welcome', 1, HOUR), click('black-friday', 2, 2 * HOUR)], defaults);
    expect(split(r.last_click)).toEqual([['welcome', 1, 1, 9950]]);
    expect(split(r.linear)).toEqual([
      ['black-friday', 2, 0.5, 4975],
      ['welcome', 1, 0.5, 4975],
    ]);
    // A fully refunded order keeps its (zero) credit: it still converted, it earned nothing.
    expect(split(attribute(order({ revenue: netRevenue(30, [30], 'PLN') }), [click('welcome', 1, HOUR)], defaults).last_click)).toEqual([
      ['welcome', 1, 1, 0],
    ]);
  });

  it('refuses a refund larger than what is left, and negative or malformed amounts', () => {
    expect(() => netRevenue(50, [30, 30], 'PLN')).toThrow(AppError);
    expect(() => netRevenue(-1, [], 'PLN')).toThrow(/total/);
    expect(() => attribute(order({ revenue: -5 }), [], defaults)).toThrow(/revenue/);
    expect(() => attribute(order({ revenue: Number.NaN }), [], defaults)).toThrow(/revenue/);
    expect(() => attribute(order(), [], { ...defaults, halfLifeMs: 0 })).toThrow(/halfLifeMs/);
  });

  it('credits a UTM-only order to the campaign its utm_campaign names, under the utm model only', () => {
    const r = attribute(order({ utmCampaign: 'black-friday' }), [], defaults);
    expect(split(r.utm)).toEqual([['black-friday', null, 1, 10000]]);
    expect(r.utm[0]).toMatchObject({ touch: 'utm', model: 'utm', revenue: 100 });
    empty(r, ['last_click', 'first_click', 'linear', 'time_decay']);
  });

  it('shows utm next to click credit, never merged: last click to welcome, utm to black-friday', () => {
    const r = attribute(order({ utmCampaign: 'black-friday' }), [click('welcome', 1, HOUR)], defaults);
    expect(split(r.last_click)).toEqual([['welcome', 1, 1, 10000]]);
    expect(split(r.utm)).toEqual([['black-friday', null, 1, 10000]]);
  });

  it('resolves utm values through the option, and falls back to the last eligible utm landing', () => {
    const utmCampaign = (v: string): string | null => ({ bf2026: 'black-friday' })[v] ?? null;
    expect(split(attribute(order({ utmCampaign: 'bf2026' }), [], { ...defaults, utmCampaign }).utm)).toEqual([
      ['black-friday', null, 1, 10000],
    ]);
    expect(attribute(order({ utmCampaign: 'unknown' }), [], { ...defaults, utmCampaign }).utm).toEqual([]);
    expect(attribute(order({ utmCampaign: '  ' }), [], defaults).utm).toEqual([]);
    const landing: Touch = { kind: 'utm', at: before(HOUR), campaign: 'spring', sendId: null, network: 'facebook' };
    const r = attribute(order(), [landing], defaults);
    expect(r.utm).toMatchObject([{ campaign: 'spring', network: 'facebook', touch: 'utm', weight: 1 }]);
    empty(r, ['last_click', 'first_click', 'linear', 'time_decay']);
  });
});

describe('attribute: ties, merging, currencies', () => {
  it('breaks same-instant ties by sendId (null first), then campaign, whatever the input order', () => {
    const a = click('alpha', 5, HOUR);
    const b = click('beta', 7, HOUR);
    const link = click('zeta', null, HOUR, { network: 'sms' });
    for (const touches of [
      [a, b, link],
      [link, b, a],
      [b, link, a],
    ]) {
      const r = attribute(order(), touches, defaults);
      expect(split(r.last_click)).toEqual([['beta', 7, 1, 10000]]);
      expect(r.first_click[0]).toMatchObject({ campaign: 'zeta', sendId: null, network: 'sms' });
    }
    const r = attribute(order(), [click('b', null, HOUR), click('a', null, HOUR)], defaults);
    expect(r.last_click[0]!.campaign).toBe('b');
    expect(r.first_click[0]!.campaign).toBe('a');
  });

  it('merges repeated clicks on one send into one credit (linear: 2/3 and 1/3)', () => {
    const r = attribute(order(), [click('welcome', 1, HOUR), click('welcome', 1, 2 * HOUR), click('black-friday', 2, 3 * HOUR)], defaults);
    expect(split(r.linear)).toEqual([
      ['black-friday', 2, 0.333333, 3333],
      ['welcome', 1, 0.666667, 6667],
    ]);
  });

  it("splits in the currency's minor units: 1000 JPY over three campaigns is 334 + 333 + 333 yen", () => {
    const r = attribute(
      order({ revenue: 1000, currency: 'JPY' }),
      [click('a', 1, HOUR), click('b', 2, HOUR), click('c', 3, HOUR)],
      defaults,
    );
    expect(r.linear.map((c) => [c.revenueMinor, c.revenue])).toEqual([
      [334, 334],
      [333, 333],
      [333, 333],
    ]);
  });
});
