import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { campaignFile } from '../../../src/dsl/compile/surface/campaign';
import { DEFAULT_TRIGGER_WITHIN_MS, revivePlan } from '../../../src/dsl/plan';
import { diagnosticsOf, planOf } from '../fixtures/project';

const campaign = (trigger: string) =>
  `campaign: cart\npurpose: email.marketing\nsteps: [ { send: cart-reminder } ]\ntrigger:\n${trigger.replace(/^/gm, '  ')}\n`;
const triggerOf = (trigger: string) => planOf(campaign(trigger)).trigger;
const errorsOf = (trigger: string) => diagnosticsOf({ 'campaigns/cart.yaml': campaign(trigger) });

describe('within: on event triggers', () => {
  it('defaults to 24 hours when the file gives none', () => {
    expect(DEFAULT_TRIGGER_WITHIN_MS).toBe(86_400_000);
    expect(triggerOf('event: checkout.started')).toEqual({ kind: 'event', event: 'checkout.started', withinMs: 86_400_000 });
  });

  it('takes a duration, in milliseconds', () => {
    expect(triggerOf('event: checkout.started\ncorrelate: checkout_id\nwithin: 2h')).toEqual({
      kind: 'event',
      event: 'checkout.started',
      correlate: 'checkout_id',
      withinMs: 7_200_000,
    });
    expect(triggerOf('event: checkout.started\nwithin: 30m')).toMatchObject({ withinMs: 1_800_000 });
    expect(triggerOf('event: checkout.started\nwithin: 2d')).toMatchObject({ withinMs: 2 * 86_400_000 });
    expect(triggerOf('event: checkout.started\nwithin: 1w')).toMatchObject({ withinMs: 7 * 86_400_000 });
  });

  it('within: any turns the limit off (null)', () => {
    expect(triggerOf('event: checkout.started\nwithin: any')).toEqual({ kind: 'event', event: 'checkout.started', withinMs: null });
    expect(triggerOf('{ event: checkout.started, within: any }')).toMatchObject({ withinMs: null });
  });

  it('survives a JSON round trip (the plan is stored as JSON)', () => {
    const plan = planOf(campaign('event: checkout.started\nwithin: any'));
    expect(revivePlan(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });

  it('refuses what is not a positive duration, at the value', () => {
    // The trigger's keys sit on line 5, indented two: `within:`'s value starts at column 11.
    expect(errorsOf('event: checkout.started\nwithin: soon')).toEqual([
      'campaigns/cart.yaml:6:11 within "soon" is not a duration — write a duration like 24h or 2d, or any',
    ]);
    expect(errorsOf('event: checkout.started\nwithin: 0h')).toEqual([
      'campaigns/cart.yaml:6:11 within must be longer than 0 — write a duration like 24h or 2d, or any',
    ]);
    expect(errorsOf('event: checkout.started\nwithin: -2h')).toEqual([
      'campaigns/cart.yaml:6:11 within "-2h" is negative — write how old an event may be to start a run, e.g. 24h, or any',
    ]);
    expect(errorsOf('event: checkout.started\nwithin: 24')).toEqual([
      'campaigns/cart.yaml:6:11 within "24" has no unit — add one: 24m, 24h, 24d or 24w',
    ]);
    expect(errorsOf('event: checkout.started\nwithin: 1mo')).toEqual([
      'campaigns/cart.yaml:6:11 within "1mo" uses a unit of varying length — write days, e.g. 30d or 365d',
    ]);
    expect(errorsOf('event: checkout.started\nwithin:')).toEqual([
      'campaigns/cart.yaml:6:3 "within" has no value — write a duration like 24h or 2d, or any',
    ]);
    expect(errorsOf('event: checkout.started\nwithin: [2h]')).toEqual([
      'campaigns/cart.yaml:6:11 within a list is not a duration — write a duration like 24h or 2d, or any',
    ]);
  });

  it('is only for event triggers', () => {
    expect(errorsOf('schedule: { rrule: "FREQ=DAILY;BYHOUR=9" }\nwithin: 2h')).toEqual([
      'campaigns/cart.yaml:6:3 within is only for event triggers, not a schedule trigger — it limits how old the triggering event may be; remove it',
    ]);
    expect(errorsOf('at: 2026-11-27T10:00\nwithin: 2h')).toEqual([
      'campaigns/cart.yaml:6:3 within is only for event triggers, not an at trigger — it limits how old the triggering event may be; remove it',
    ]);
  });
});

describe('within: in the JSON Schema surface (editors)', () => {
  const surface = (trigger: string) => campaignFile.safeParse(parse(campaign(trigger))).success;

  it('takes a duration or any on an event trigger, and nothing else', () => {
    expect(surface('event: checkout.started\nwithin: 2h')).toBe(true);
    expect(surface('event: checkout.started\nwithin: any')).toBe(true);
    expect(surface('event: checkout.started\nwithin: soon')).toBe(false);
    expect(surface('schedule: { rrule: "FREQ=DAILY;BYHOUR=9" }\nwithin: 2h')).toBe(false);
  });
});

describe('plans stored before within: existed', () => {
  it('revive with the default on their event trigger, and are not otherwise changed', () => {
    const plan = planOf(campaign('event: checkout.started\ncorrelate: checkout_id\nwithin: 2h'));
    const { withinMs: _, ...oldTrigger } = plan.trigger as Extract<typeof plan.trigger, { kind: 'event' }>;
    const stored = JSON.parse(JSON.stringify({ ...plan, trigger: oldTrigger })) as unknown;
    const revived = revivePlan(stored);
    expect(revived.trigger).toEqual({
      kind: 'event',
      event: 'checkout.started',
      correlate: 'checkout_id',
      withinMs: DEFAULT_TRIGGER_WITHIN_MS,
    });
    expect({ ...revived, trigger: oldTrigger }).toEqual(stored);
    expect((stored as { trigger: object }).trigger).not.toHaveProperty('withinMs'); // the stored JSON is left as it was
  });

  it('keep a stored withinMs, null included, and leave other triggers alone', () => {
    const any = planOf(campaign('event: checkout.started\nwithin: any'));
    expect(revivePlan(JSON.parse(JSON.stringify(any))).trigger).toMatchObject({ withinMs: null });
    const broadcast = planOf(campaign('schedule: { rrule: "FREQ=DAILY;BYHOUR=9" }'));
    expect(revivePlan(JSON.parse(JSON.stringify(broadcast))).trigger).not.toHaveProperty('withinMs');
  });
});

describe('goal.attribution windows', () => {
  const withGoal = (attribution: string) =>
    diagnosticsOf({
      'campaigns/cart.yaml': `campaign: cart\npurpose: email.marketing\ntrigger: { event: checkout.started }\ngoal:\n  event: order.created\n  attribution: ${attribution}\nsteps: [ { send: cart-reminder } ]\n`,
    });
  it('refuses a window longer than the 90 days attribution reads back, at the value', () => {
    expect(withGoal('{ click: 91d }')).toEqual([
      'campaigns/cart.yaml:6:25 attribution click is longer than 90d — clicks and opens older than 90 days before an order are never credited: use at most 90d',
    ]);
    expect(withGoal('{ click: 90d, open: 13w }')).toEqual([
      'campaigns/cart.yaml:6:36 attribution open is longer than 90d — clicks and opens older than 90 days before an order are never credited: use at most 90d',
    ]);
    expect(withGoal('{ click: 90d, open: 2d }')).toEqual([]);
  });
});
