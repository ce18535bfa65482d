import { describe, expect, it } from 'vitest';
import { DEFAULT_TRIGGER_WITHIN_MS, PLAN_MARKER, PLAN_VERSION, isCampaignPlan } from '../../../src/dsl/plan';
import { compileWith, planOf, yaml } from '../fixtures/project';

const full = yaml`
  campaign: cart
  name: Cart recovery
  purpose: email.marketing
  priority: 80
  trigger:
    event: checkout.started
    correlate: checkout_id
  audience:
    consent: email.marketing
  re_entry: { after: 30d }
  exit_on:
    - event: order.created
    - event: checkout.updated
      where: { attribute: total, is: 0 }
  goal:
    event: order.created
    attribution: { click: 5d, open: 12h }
  holdout: 12.5%
  migrate: true
  steps:
    - send: cart-reminder
`;

describe('a campaign file compiles to a CampaignPlan', () => {
  it('every top-level key, exactly', () => {
    expect(planOf(full)).toEqual({
      $$almanac: PLAN_MARKER,
      planVersion: PLAN_VERSION,
      id: 'cart',
      name: 'Cart recovery',
      file: 'campaigns/cart.yaml',
      purpose: 'email.marketing',
      priority: 80,
      trigger: { kind: 'event', event: 'checkout.started', correlate: 'checkout_id', withinMs: DEFAULT_TRIGGER_WITHIN_MS },
      audience: { kind: 'consent', purpose: 'email.marketing' },
      reEntry: { mode: 'after', ms: 30 * 86_400_000 },
      exitOn: [
        { event: 'order.created' },
        { event: 'checkout.updated', where: { kind: 'attribute', scope: 'properties', path: ['total'], op: 'is', value: 0 } },
      ],
      goal: { event: 'order.created', attribution: { clickMs: 5 * 86_400_000, openMs: 12 * 3_600_000 } },
      holdoutPercent: 12.5,
      migrate: true,
      steps: [{ key: 'steps[0]', line: 21, col: 5, kind: 'send', template: 'cart-reminder' }],
    });
  });

  it('defaults: name = id, priority 50, re_entry never, no holdout, no migrate, attribution 5d / 1d', () => {
    const plan = planOf(
      'campaign: cart\npurpose: email.transactional\ntrigger: { event: order.created }\ngoal: { event: order.created }\nre_entry: always\nsteps: [ exit ]\n',
    );
    expect(plan).toMatchObject({ name: 'cart', priority: 50, reEntry: { mode: 'always' }, holdoutPercent: 0, migrate: false, exitOn: [] });
    expect(plan.goal).toEqual({ event: 'order.created', attribution: { clickMs: 5 * 86_400_000, openMs: 86_400_000 } });
    expect(planOf('campaign: cart\npurpose: email.marketing\ntrigger: { event: order.created }\nsteps: [ exit ]\n').reEntry).toEqual({
      mode: 'never',
    });
  });

  it('is plain JSON carrying the plan marker, and the project keeps the source text', () => {
    const result = compileWith({ 'campaigns/cart.yaml': full });
    if (!result.ok) throw new Error('did not compile');
    const plan = result.project.campaigns[0]!;
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(isCampaignPlan(JSON.parse(JSON.stringify(plan)))).toBe(true);
    expect(result.project.sources).toEqual({ cart: full });
  });

  it('YAML anchors and aliases are followed', () => {
    const plan = planOf(
      'campaign: cart\npurpose: email.marketing\ntrigger: { event: checkout.started }\naudience: &who { consent: email.marketing }\nsteps:\n  - branch:\n      - when: *who\n        steps: [ exit ]\n',
    );
    expect(plan.steps[0]).toMatchObject({ arms: [{ when: { kind: 'consent', purpose: 'email.marketing' } }] });
  });
});
