import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { predictEntrySends, predictRunSends } from '../../src/forecast/journeys';
import type { EventFact, Facts } from '../../src/dsl/condition';
import type { CampaignPlan } from '../../src/dsl/plan';
import { initialState, type RunState } from '../../src/journey/index';
import { DAY, HOUR, at, compileInline, plus } from '../helpers/engine';

const templates = readdirSync('templates');
const sample = (id: string): CampaignPlan => {
  const project = compileInline(
    {
      [`campaigns/${id}.yaml`]: readFileSync(`campaigns/${id}.yaml`, 'utf8'),
      'campaigns/segments.yaml': readFileSync('campaigns/segments.yaml', 'utf8'),
    },
    templates,
  );
  return project.campaigns.find((c) => c.id === id)!;
};
const cart = sample('abandoned-cart');
const welcome = sample('welcome');
const winBack = sample('win-back');

const T = at('2026-11-23T10:00:00Z');
const facts = (events: EventFact[] = [], externalId = 'c-1'): Facts => ({
  contact: {
    id: 1,
    external_id: externalId,
    email: `${externalId}@example.com`,
    timezone: 'Europe/Warsaw',
    locale: null,
    lifecycle_stage: null,
    created_at: T,
    attributes: {},
  },
  events,
  consent: { 'email.marketing': true },
});
const checkout = (total: number) => ({ type: 'checkout.started', occurredAt: T, properties: { checkout_id: 'k-1', total } });
const state = (plan: CampaignPlan, trigger: EventFact, over: Partial<RunState>): RunState => ({
  ...initialState(plan, trigger, undefined),
  ...over,
});
const shape = (sends: ReturnType<typeof predictRunSends>) => sends.map((s) => [s.template, s.due.toISOString(), s.weight]);

describe('the journey walk of an in-flight run', () => {
  it('a cart run sleeping at its 1 h wait: the reminder at the wake, then — assuming no click — the discount 24 h later', () => {
    const s = state(cart, checkout(150), { at: 'steps[0]', phase: 'sleeping', wakeAt: plus(T, HOUR).toISOString() });
    const sends = predictRunSends({ plan: cart, state: s, wakeAt: plus(T, HOUR), facts: facts(), now: T, until: plus(T, 7 * DAY) });
    expect(shape(sends)).toEqual([
      ['cart-reminder', plus(T, HOUR).toISOString(), 1],
      ['cart-discount', plus(T, 25 * HOUR).toISOString(), 1],
    ]);
  });

  it("the branch reads the run's own cart (trigger properties): a small cart gets the last call", () => {
    const s = state(cart, checkout(40), { at: 'steps[0]', phase: 'sleeping', wakeAt: plus(T, HOUR).toISOString() });
    const sends = predictRunSends({ plan: cart, state: s, wakeAt: plus(T, HOUR), facts: facts(), now: T, until: plus(T, 7 * DAY) });
    expect(sends.map((x) => x.template)).toEqual(['cart-reminder', 'cart-last-call']);
  });

  it('an awaiting run takes the timeout path at its timeout; nothing at or after `until` is predicted', () => {
    const timeout = plus(T, 5 * HOUR);
    const s = state(cart, checkout(150), { at: 'steps[2]', phase: 'awaiting', wakeAt: timeout.toISOString() });
    expect(shape(predictRunSends({ plan: cart, state: s, wakeAt: timeout, facts: facts(), now: T, until: plus(T, DAY) }))).toEqual([
      ['cart-discount', timeout.toISOString(), 1],
    ]);
    expect(predictRunSends({ plan: cart, state: s, wakeAt: timeout, facts: facts(), now: T, until: timeout })).toEqual([]);
  });

  it('a run that is overdue sends at `now`, not in the past; a finished run sends nothing', () => {
    const s = state(cart, checkout(150), { at: 'steps[1]', phase: 'ready' });
    const sends = predictRunSends({ plan: cart, state: s, wakeAt: plus(T, -HOUR), facts: facts(), now: T, until: plus(T, 2 * DAY) });
    expect(shape(sends)).toEqual([
      ['cart-reminder', T.toISOString(), 1],
      ['cart-discount', plus(T, DAY).toISOString(), 1],
    ]);
    expect(
      predictRunSends({ plan: cart, state: { ...s, phase: 'done', at: null }, wakeAt: null, facts: facts(), now: T, until: plus(T, DAY) }),
    ).toEqual([]);
  });

  it('a welcome branch on "order within 7d" follows the contact\'s current facts, evaluated when the branch is reached', () => {
    const joined = { type: 'contact.created', occurredAt: T, properties: {} };
    const s = state(welcome, joined, { at: 'steps[1]', phase: 'sleeping', wakeAt: plus(T, 2 * DAY).toISOString() });
    const input = { plan: welcome, state: s, wakeAt: plus(T, 2 * DAY), now: plus(T, 2 * HOUR), until: plus(T, 14 * DAY) };
    expect(predictRunSends({ ...input, facts: facts() }).map((x) => [x.template, x.due.toISOString()])).toEqual([
      ['welcome-2', plus(T, 2 * DAY).toISOString()],
      ['welcome-first-order', plus(T, 7 * DAY).toISOString()],
    ]);
    const bought = facts([{ type: 'order.created', occurredAt: plus(T, HOUR), properties: {} }]);
    expect(predictRunSends({ ...input, facts: bought }).map((x) => x.template)).toEqual(['welcome-2', 'welcome-thanks']);
    // An order an hour before the series began has left the 7-day window when the branch comes.
    const old = facts([{ type: 'order.created', occurredAt: plus(T, -HOUR), properties: {} }]);
    expect(predictRunSends({ ...input, facts: old }).map((x) => x.template)).toEqual(['welcome-2', 'welcome-first-order']);
  });

  it('a split sends a known contact down its own sticky arm only', () => {
    const entered = { type: 'segment.entered', occurredAt: T, properties: {} };
    const s = state(winBack, entered, { at: 'steps[0]', phase: 'ready', splits: { 'steps[0]': 'B' } });
    const sends = predictRunSends({ plan: winBack, state: s, wakeAt: T, facts: facts(), now: T, until: plus(T, 30 * DAY) });
    expect(sends.map((x) => [x.stepKey, x.weight])).toEqual([
      ['win-back-first-offer', 1],
      ['steps[2].branch.otherwise[0]', 1],
    ]);
  });
});

describe('the default path of a future entry', () => {
  it('abandoned cart: the reminder after 1 h, then the `otherwise` last call after the 24 h timeout', () => {
    expect(shape(predictEntrySends(cart, T, plus(T, 7 * DAY)))).toEqual([
      ['cart-reminder', plus(T, HOUR).toISOString(), 1],
      ['cart-last-call', plus(T, 25 * HOUR).toISOString(), 1],
    ]);
  });

  it('win-back: each split arm by its percent, then the last chance once for everyone', () => {
    const sends = predictEntrySends(winBack, T, plus(T, 30 * DAY));
    expect(sends.map((x) => [x.stepKey, x.due.toISOString(), x.weight]).sort()).toEqual([
      ['steps[2].branch.otherwise[0]', plus(T, 5 * DAY).toISOString(), 0.5],
      ['steps[2].branch.otherwise[0]', plus(T, 5 * DAY).toISOString(), 0.5],
      ['win-back-first', T.toISOString(), 0.5],
      ['win-back-first-offer', T.toISOString(), 0.5],
    ]);
  });
});
