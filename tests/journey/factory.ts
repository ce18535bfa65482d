import type { AttributeOp, AttributeScope, Condition, EventFact, Facts } from '../../src/dsl/condition';
import { DEFAULT_TRIGGER_WITHIN_MS, PLAN_MARKER, PLAN_VERSION, type CampaignPlan, type Step } from '../../src/dsl/plan';
import { type StepInput, type StepResult, initialState, step as rawStep, type RunState } from '../../src/journey';

/**
 * Test plans without the compiler: step constructors (key '' = "give me my path key", or the
 * `id` passed) and `makePlan`, which assigns keys exactly as src/dsl/plan.ts documents them:
 * `steps[1]`, `steps[2].on_timeout[0]`, `….branch[1].steps[0]`, `….branch.otherwise[0]`, `….split.A[0]`.
 */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const t0 = new Date('2026-11-23T10:00:00Z');
export const at = (ms: number) => new Date(t0.getTime() + ms);

const pos = { line: 1, col: 1 };
export const wait = (ms: number, id = ''): Step => ({ kind: 'wait', ms, key: id, ...pos });
export const send = (template: string, more: { id?: string; subject?: string; data?: Record<string, unknown> } = {}): Step => {
  const { id = '', ...rest } = more;
  return { kind: 'send', template, ...rest, key: id, ...pos };
};
export const update = (attributes: Record<string, unknown>, id = ''): Step => ({ kind: 'update', attributes, key: id, ...pos });
export const emit = (event: string, properties?: Record<string, unknown>, id = ''): Step =>
  properties ? { kind: 'emit', event, properties, key: id, ...pos } : { kind: 'emit', event, key: id, ...pos };
export const exit = (id = ''): Step => ({ kind: 'exit', key: id, ...pos });
export const waitUntil = (event: string, timeoutMs: number, onTimeout: Step[] = [], where?: Condition, id = ''): Step =>
  where
    ? { kind: 'wait_until', event, timeoutMs, onTimeout, where, key: id, ...pos }
    : { kind: 'wait_until', event, timeoutMs, onTimeout, key: id, ...pos };
export const branch = (arms: Array<[Condition, Step[]]>, otherwise: Step[] = [], id = ''): Step => ({
  kind: 'branch',
  arms: arms.map(([when, steps]) => ({ when, steps })),
  otherwise,
  key: id,
  ...pos,
});
export const split = (arms: Record<string, [number, Step[]]>, id = ''): Step => ({
  kind: 'split',
  arms: Object.entries(arms).map(([name, [percent, steps]]) => ({ name, percent, steps })),
  key: id,
  ...pos,
});

/** Conditions as the compiler would emit them. */
export const attr = (scope: AttributeScope, path: string, op: AttributeOp, value: unknown): Condition => ({
  kind: 'attribute',
  scope,
  path: path.split('.'),
  op,
  value,
});

function keyed(steps: Step[], prefix: string): Step[] {
  return steps.map((s, i) => {
    const key = s.key || `${prefix}[${i}]`;
    switch (s.kind) {
      case 'wait_until':
        return { ...s, key, onTimeout: keyed(s.onTimeout, `${key}.on_timeout`) };
      case 'branch':
        return {
          ...s,
          key,
          arms: s.arms.map((a, j) => ({ ...a, steps: keyed(a.steps, `${key}.branch[${j}].steps`) })),
          otherwise: keyed(s.otherwise, `${key}.branch.otherwise`),
        };
      case 'split':
        return { ...s, key, arms: s.arms.map((a) => ({ ...a, steps: keyed(a.steps, `${key}.split.${a.name}`) })) };
      default:
        return { ...s, key };
    }
  });
}

export function makePlan(steps: Step[], more: Partial<Omit<CampaignPlan, '$$almanac' | 'planVersion' | 'steps'>> = {}): CampaignPlan {
  return {
    $$almanac: PLAN_MARKER,
    planVersion: PLAN_VERSION,
    id: 'test-campaign',
    name: 'Test campaign',
    file: 'campaigns/test-campaign.yaml',
    purpose: 'email.marketing',
    priority: 50,
    trigger: { kind: 'event', event: 'checkout.started', withinMs: DEFAULT_TRIGGER_WITHIN_MS },
    reEntry: { mode: 'always' },
    exitOn: [],
    holdoutPercent: 0,
    migrate: false,
    ...more,
    steps: keyed(steps, 'steps'),
  };
}

/** campaigns/abandoned-cart.yaml, compiled by hand. */
export const abandonedCart = (): CampaignPlan =>
  makePlan(
    [
      wait(HOUR),
      send('cart-reminder'),
      waitUntil('email.clicked', DAY, [
        branch([[attr('trigger', 'total', 'gte', 100), [send('cart-discount')]]], [send('cart-last-call')]),
      ]),
    ],
    {
      id: 'abandoned-cart',
      file: 'campaigns/abandoned-cart.yaml',
      trigger: { kind: 'event', event: 'checkout.started', correlate: 'checkout_id', withinMs: DEFAULT_TRIGGER_WITHIN_MS },
      exitOn: [{ event: 'order.created' }],
      holdoutPercent: 10,
    },
  );

export const event = (type: string, occurredAt: Date, properties: Record<string, unknown> = {}): EventFact => ({
  type,
  occurredAt,
  properties,
});

export function facts(more: { id?: number; attributes?: Record<string, unknown>; events?: EventFact[] } = {}): Facts {
  return {
    contact: {
      id: more.id ?? 42,
      external_id: `c-${more.id ?? 42}`,
      email: 'ada@example.com',
      timezone: 'Europe/Warsaw',
      locale: 'pl',
      lifecycle_stage: null,
      created_at: new Date('2026-01-01T00:00:00Z'),
      attributes: more.attributes ?? {},
    },
    events: more.events ?? [],
    consent: { 'email.marketing': true },
  };
}

/**
 * `step` with every send settled the moment it is queued, as an outbox with nothing held would:
 * while the run waits for its send (phase `sending`), it is woken at `now` as the dispatcher's
 * settle would wake it, and the effects of all calls are returned together (updates carried into
 * the facts, as the engine writes them between calls). Tests of the waiting itself use the real
 * `step` from src/journey.
 */
export function step(plan: CampaignPlan, state: RunState, input: StepInput, now: Date): StepResult {
  let result = rawStep(plan, state, input, now);
  const effects = [...result.effects];
  let f = input.facts;
  for (let guard = 0; result.state.phase === 'sending' && guard < 1000; guard++) {
    for (const e of result.effects) {
      if (e.kind === 'update') f = { ...f, contact: { ...f.contact, attributes: { ...f.contact.attributes, ...e.attributes } } };
    }
    result = rawStep(plan, { ...result.state, wakeAt: now.toISOString() }, { kind: 'wake', facts: f }, now);
    effects.push(...result.effects);
  }
  return { state: result.state, effects };
}

/** Create a run from a `checkout.started`-like trigger at t0 and take its first step (sends settle at once). */
export function begin(plan: CampaignPlan, properties: Record<string, unknown> = {}, f: Facts = facts(), correlationKey?: string) {
  const state = initialState(plan, event(plan.trigger.kind === 'event' ? plan.trigger.event : 'schedule', t0, properties), correlationKey);
  return step(plan, state, { kind: 'start', facts: f }, t0);
}
