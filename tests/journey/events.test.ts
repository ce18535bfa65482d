import { describe, expect, it } from 'vitest';
import { at, attr, begin, event, facts, HOUR, makePlan, MIN, send, wait, waitUntil, step } from './factory';

const f = facts();

describe('wakes', () => {
  const plan = makePlan([wait(HOUR), send('a'), waitUntil('email.clicked', HOUR, [send('nudge')])]);

  it('an early wake of a sleeping run changes nothing and re-tells the wake time', () => {
    const first = begin(plan);
    const early = step(plan, first.state, { kind: 'wake', facts: f }, at(HOUR - 1));
    expect(early).toEqual({ state: first.state, effects: [{ kind: 'wake_at', at: at(HOUR) }] });
  });

  it('an early wake of an awaiting run does not time it out', () => {
    const awaiting = step(plan, begin(plan).state, { kind: 'wake', facts: f }, at(HOUR)).state;
    const early = step(plan, awaiting, { kind: 'wake', facts: f }, at(HOUR + 30 * MIN));
    expect(early).toEqual({ state: awaiting, effects: [{ kind: 'wake_at', at: at(2 * HOUR) }] });
  });

  it('a wake exactly at wakeAt is due', () => {
    expect(step(plan, begin(plan).state, { kind: 'wake', facts: f }, at(HOUR)).effects[0]).toMatchObject({ kind: 'send' });
  });
});

describe('events while waiting', () => {
  const forCheckout = attr('properties', 'checkout_id', 'is', 'k-9');
  const plan = makePlan([waitUntil('email.clicked', HOUR, [send('nudge')], forCheckout), send('after')], {
    exitOn: [{ event: 'order.created', where: attr('properties', 'total', 'gt', 0) }],
  });
  const awaiting = () => begin(plan).state;
  const deliver = (type: string, props: Record<string, unknown>, when = at(10 * MIN), now = when) =>
    step(plan, awaiting(), { kind: 'event', event: event(type, when, props), facts: f }, now);

  it('an event of another type changes nothing', () => {
    expect(deliver('email.opened', { checkout_id: 'k-9' })).toEqual({ state: awaiting(), effects: [{ kind: 'wake_at', at: at(HOUR) }] });
  });

  it('the right type failing `where` changes nothing', () => {
    expect(deliver('email.clicked', { checkout_id: 'k-1' }).effects).toEqual([{ kind: 'wake_at', at: at(HOUR) }]);
  });

  it('the right type passing `where` continues after the wait_until', () => {
    expect(deliver('email.clicked', { checkout_id: 'k-9' }).effects[0]).toEqual({ kind: 'send', stepKey: 'steps[1]', template: 'after' });
  });

  it('a click stamped after the timeout (delivered late) counts as a timeout: on_timeout runs', () => {
    const late = deliver('email.clicked', { checkout_id: 'k-9' }, at(HOUR + MIN));
    expect(late.effects[0]).toEqual({ kind: 'send', stepKey: 'steps[0].on_timeout[0]', template: 'nudge' });
  });

  it('a click stamped before the wait began (delivered late) is not what it waits for: the run keeps waiting', () => {
    const started = step(plan, awaiting(), { kind: 'wake', facts: f }, at(0)).state;
    const old = step(
      plan,
      started,
      { kind: 'event', event: event('email.clicked', at(-MIN), { checkout_id: 'k-9' }), facts: f },
      at(10 * MIN),
    );
    expect(old).toEqual({ state: started, effects: [{ kind: 'wake_at', at: at(HOUR) }] });
    const atStart = step(
      plan,
      started,
      { kind: 'event', event: event('email.clicked', at(0), { checkout_id: 'k-9' }), facts: f },
      at(10 * MIN),
    );
    expect(atStart.effects[0]).toEqual({ kind: 'send', stepKey: 'steps[1]', template: 'after' });
  });

  it('exit_on honours its `where`', () => {
    expect(deliver('order.created', { total: 0 }).state.phase).toBe('awaiting');
    expect(deliver('order.created', { total: 12 }).effects).toEqual([{ kind: 'exit', reason: 'exit_on:order.created' }]);
  });

  it('exit_on ends a sleeping run too, and a plain event does not wake it early', () => {
    const sleepy = makePlan([wait(HOUR), send('a')], { exitOn: [{ event: 'consent.withdrawn' }] });
    const first = begin(sleepy);
    const other = step(sleepy, first.state, { kind: 'event', event: event('email.opened', at(MIN)), facts: f }, at(MIN));
    expect(other).toEqual({ state: first.state, effects: [{ kind: 'wake_at', at: at(HOUR) }] });
    const withdrawn = step(sleepy, first.state, { kind: 'event', event: event('consent.withdrawn', at(MIN)), facts: f }, at(MIN));
    expect(withdrawn.effects).toEqual([{ kind: 'exit', reason: 'exit_on:consent.withdrawn' }]);
  });

  it('exit_on wins over a wait_until waiting for the same event type', () => {
    const both = makePlan([waitUntil('order.created', HOUR), send('thanks')], { exitOn: [{ event: 'order.created' }] });
    const r = step(both, begin(both).state, { kind: 'event', event: event('order.created', at(MIN)), facts: f }, at(MIN));
    expect(r.effects).toEqual([{ kind: 'exit', reason: 'exit_on:order.created' }]);
  });

  it('an event stamped slightly in the future (clock skew) still matches', () => {
    expect(deliver('email.clicked', { checkout_id: 'k-9' }, at(11 * MIN), at(10 * MIN)).effects[0]).toMatchObject({ stepKey: 'steps[1]' });
  });
});
