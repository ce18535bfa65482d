import { describe, expect, it } from 'vitest';
import { type CapCandidate, allocateCaps } from '../../src/calendar/caps';
import { DAY, HOUR } from './fixtures';

const now = new Date('2026-12-01T10:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const later = (ms: number) => new Date(now.getTime() + ms);
const marketing = { purpose: 'email.marketing', max: 3, perMs: 7 * DAY };
const daily = { purpose: 'any', max: 1, perMs: DAY };
const send = (id: number, campaign: string, priority: number, over: Partial<CapCandidate> = {}): CapCandidate => ({
  id,
  campaign,
  purpose: 'email.marketing',
  priority,
  transactional: false,
  ...over,
});
const cart = send(1, 'abandoned-cart', 80);
const winBack = send(2, 'win-back', 50);
const newsletter = send(3, 'newsletter', 20);
// Two marketing sends this week: one slot left under 3 per 7d.
const twoThisWeek = [
  { at: ago(5 * DAY), purpose: 'email.marketing' },
  { at: ago(2 * DAY), purpose: 'email.marketing' },
];

describe('allocateCaps', () => {
  it('three campaigns, one slot: the highest priority sends, the others wait for the window to free', () => {
    const decisions = allocateCaps({
      candidates: [newsletter, cart, winBack],
      recent: twoThisWeek,
      caps: [marketing],
      onConflict: 'defer',
      now,
    });
    const frees = later(2 * DAY); // the send of 5 days ago leaves the 7-day window
    expect(decisions).toEqual([
      { id: 3, action: 'defer', until: frees, reason: 'cap:email.marketing:3/7d' },
      { id: 1, action: 'send' },
      { id: 2, action: 'defer', until: frees, reason: 'cap:email.marketing:3/7d' },
    ]);
  });

  it('the deferred sends land in the next window, again by priority', () => {
    const first = allocateCaps({
      candidates: [cart, winBack, newsletter],
      recent: twoThisWeek,
      caps: [marketing],
      onConflict: 'defer',
      now,
    });
    const until = (first[1] as { until: Date }).until;
    const recent = [...twoThisWeek, { at: now, purpose: 'email.marketing' }];
    const second = allocateCaps({ candidates: [newsletter, winBack], recent, caps: [marketing], onConflict: 'defer', now: until });
    expect(second).toEqual([
      { id: 3, action: 'defer', until: new Date(ago(2 * DAY).getTime() + 7 * DAY), reason: 'cap:email.marketing:3/7d' },
      { id: 2, action: 'send' },
    ]);
  });

  it('equal priorities: campaign id, then send id, decide, whatever the input order', () => {
    const a = send(7, 'autumn', 50);
    const b = send(5, 'brunch', 50);
    const b2 = send(4, 'brunch', 50);
    for (const order of [
      [a, b, b2],
      [b2, b, a],
      [b, a, b2],
    ]) {
      const decisions = allocateCaps({ candidates: order, recent: [], caps: [daily], onConflict: 'defer', now });
      expect(decisions.filter((d) => d.action === 'send').map((d) => d.id)).toEqual([7]);
    }
    const brunchOnly = allocateCaps({ candidates: [b, b2], recent: [], caps: [daily], onConflict: 'defer', now });
    expect(brunchOnly).toEqual([
      { id: 5, action: 'defer', until: later(DAY), reason: 'cap:any:1/1d' },
      { id: 4, action: 'send' },
    ]);
  });

  it('skip mode drops the losers with the cap as reason', () => {
    const decisions = allocateCaps({
      candidates: [cart, winBack, newsletter],
      recent: twoThisWeek,
      caps: [marketing],
      onConflict: 'skip',
      now,
    });
    expect(decisions).toEqual([
      { id: 1, action: 'send' },
      { id: 2, action: 'skip', reason: 'cap:email.marketing:3/7d' },
      { id: 3, action: 'skip', reason: 'cap:email.marketing:3/7d' },
    ]);
  });

  it('transactional sends ignore caps and take no slot; past transactional sends do not count', () => {
    const receipt = send(9, 'receipt', 0, { purpose: 'email.transactional', transactional: true });
    const recent = [{ at: ago(HOUR), purpose: 'email.transactional' }];
    const free = allocateCaps({ candidates: [receipt, newsletter], recent, caps: [daily], onConflict: 'defer', now });
    expect(free).toEqual([
      { id: 9, action: 'send' },
      { id: 3, action: 'send' },
    ]);
    const full = allocateCaps({
      candidates: [receipt],
      recent: [{ at: ago(HOUR), purpose: 'email.marketing' }],
      caps: [daily],
      onConflict: 'skip',
      now,
    });
    expect(full).toEqual([{ id: 9, action: 'send' }]);
  });

  it('an `any` cap counts every marketing purpose; a purpose cap only its own', () => {
    const product = [{ at: ago(3 * HOUR), purpose: 'email.product' }];
    expect(allocateCaps({ candidates: [newsletter], recent: product, caps: [daily], onConflict: 'defer', now })).toEqual([
      { id: 3, action: 'defer', until: later(21 * HOUR), reason: 'cap:any:1/1d' },
    ]);
    const productCap = { purpose: 'email.product', max: 1, perMs: DAY };
    expect(allocateCaps({ candidates: [newsletter], recent: product, caps: [productCap], onConflict: 'defer', now })).toEqual([
      { id: 3, action: 'send' },
    ]);
  });

  it('the window is (now − per, now]: a send exactly `per` ago no longer counts, a future one never does', () => {
    const edge = [{ at: ago(DAY), purpose: 'email.marketing' }];
    expect(allocateCaps({ candidates: [newsletter], recent: edge, caps: [daily], onConflict: 'defer', now })).toEqual([
      { id: 3, action: 'send' },
    ]);
    const justInside = [{ at: ago(DAY - 1), purpose: 'email.marketing' }];
    expect(allocateCaps({ candidates: [newsletter], recent: justInside, caps: [daily], onConflict: 'defer', now })[0]).toMatchObject({
      action: 'defer',
      until: later(1),
    });
    const future = [{ at: later(HOUR), purpose: 'email.marketing' }];
    expect(allocateCaps({ candidates: [newsletter], recent: future, caps: [daily], onConflict: 'defer', now })).toEqual([
      { id: 3, action: 'send' },
    ]);
  });

  it('with two caps full, the send waits until both have room and names the later one', () => {
    const recent = [
      { at: ago(6 * DAY), purpose: 'email.marketing' },
      { at: ago(4 * DAY), purpose: 'email.marketing' },
      { at: ago(2 * HOUR), purpose: 'email.marketing' },
    ];
    expect(allocateCaps({ candidates: [cart], recent, caps: [daily, marketing], onConflict: 'defer', now })).toEqual([
      { id: 1, action: 'defer', until: later(DAY), reason: 'cap:email.marketing:3/7d' },
    ]);
    expect(allocateCaps({ candidates: [cart], recent, caps: [daily, { ...marketing, max: 4 }], onConflict: 'defer', now })).toEqual([
      { id: 1, action: 'defer', until: later(22 * HOUR), reason: 'cap:any:1/1d' },
    ]);
  });

  it('a cap that can never have room skips even in defer mode', () => {
    const none = { purpose: 'email.marketing', max: 0, perMs: DAY };
    expect(allocateCaps({ candidates: [cart], recent: [], caps: [none], onConflict: 'defer', now })).toEqual([
      { id: 1, action: 'skip', reason: 'cap:email.marketing:0/1d' },
    ]);
  });
});

describe('allocateCaps: priority looks ahead', () => {
  const cartSoon = { at: later(HOUR), campaign: 'abandoned-cart', purpose: 'email.marketing', priority: 80 };
  const input = (over: Partial<Parameters<typeof allocateCaps>[0]> = {}) => ({
    candidates: [newsletter],
    recent: [],
    caps: [daily],
    onConflict: 'defer' as const,
    now,
    upcoming: [cartSoon],
    ...over,
  });

  it('a broadcast yields the day’s only slot to a higher-priority journey send due an hour later', () => {
    // After the cart reminder goes at 11:00, the newsletter has room again a day later.
    expect(allocateCaps(input())).toEqual([
      { id: 3, action: 'defer', until: later(HOUR + DAY), reason: 'yield:abandoned-cart:cap:any:1/1d' },
    ]);
  });

  it('skips instead under on_conflict: skip', () => {
    expect(allocateCaps(input({ onConflict: 'skip' }))).toEqual([{ id: 3, action: 'skip', reason: 'yield:abandoned-cart:cap:any:1/1d' }]);
  });

  it('does not yield to lower or equal priority, to a send past the cap window, or when both fit', () => {
    expect(allocateCaps(input({ upcoming: [{ ...cartSoon, priority: 20 }] }))).toEqual([{ id: 3, action: 'send' }]);
    expect(allocateCaps(input({ candidates: [cart], upcoming: [{ ...cartSoon, campaign: 'newsletter', priority: 20 }] }))).toEqual([
      { id: 1, action: 'send' },
    ]);
    expect(allocateCaps(input({ upcoming: [{ ...cartSoon, at: later(DAY) }] }))).toEqual([{ id: 3, action: 'send' }]);
    expect(allocateCaps(input({ caps: [{ ...daily, max: 2 }] }))).toEqual([{ id: 3, action: 'send' }]);
  });

  it('does not yield to a send that would be capped anyway', () => {
    // One send already today: the cart reminder at 11:00 could not go either, so the newsletter
    // is deferred by the cap itself, not by the look-ahead.
    const [d] = allocateCaps(input({ recent: [{ at: ago(HOUR), purpose: 'email.marketing' }] }));
    expect(d).toEqual({ id: 3, action: 'defer', until: later(DAY - HOUR), reason: 'cap:any:1/1d' });
    // Two slots, one used: the newsletter would take the last one the cart needs.
    const [e] = allocateCaps(input({ caps: [{ ...daily, max: 2 }], recent: [{ at: ago(HOUR), purpose: 'email.marketing' }] }));
    expect(e).toEqual({ id: 3, action: 'defer', until: later(DAY - HOUR), reason: 'yield:abandoned-cart:cap:any:2/1d' });
  });

  it('keeps slots for several upcoming sends in time order', () => {
    const twoSlots = [{ ...daily, max: 2 }];
    const winBackLater = { at: later(3 * HOUR), campaign: 'win-back', purpose: 'email.marketing', priority: 50 };
    expect(allocateCaps(input({ caps: twoSlots, upcoming: [winBackLater, cartSoon] }))[0]).toMatchObject({
      action: 'defer',
      reason: 'yield:win-back:cap:any:2/1d',
    });
  });

  it('a purpose-specific cap only protects sends it counts', () => {
    const marketingDaily = { purpose: 'email.marketing', max: 1, perMs: DAY };
    const digest = { ...cartSoon, purpose: 'email.digest' };
    expect(allocateCaps(input({ caps: [marketingDaily], upcoming: [digest] }))).toEqual([{ id: 3, action: 'send' }]);
  });
});
