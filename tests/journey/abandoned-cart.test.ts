import { describe, expect, it } from 'vitest';
import { abandonedCart, at, begin, DAY, event, facts, HOUR, MIN, step } from './factory';

const ON_TIMEOUT = 'steps[2].on_timeout[0]';

describe('abandoned cart (wait → send → wait_until with a branch in on_timeout)', () => {
  const plan = abandonedCart();
  const f = facts();

  it('a non-buyer with a big cart: reminder after 1 h, discount 24 h later, then the run completes', () => {
    const first = begin(plan, { checkout_id: 'k-9', total: 129 }, f, 'k-9');
    expect(first.effects).toEqual([{ kind: 'wake_at', at: at(HOUR) }]);
    expect(first.state).toMatchObject({ at: 'steps[0]', phase: 'sleeping', wakeAt: at(HOUR).toISOString(), correlationKey: 'k-9' });

    const second = step(plan, first.state, { kind: 'wake', facts: f }, at(HOUR));
    expect(second.effects).toEqual([
      { kind: 'send', stepKey: 'steps[1]', template: 'cart-reminder' },
      { kind: 'wake_at', at: at(HOUR + DAY) },
    ]);
    expect(second.state).toMatchObject({ at: 'steps[2]', phase: 'awaiting' });

    const third = step(plan, second.state, { kind: 'wake', facts: f }, at(HOUR + DAY));
    expect(third.effects).toEqual([
      { kind: 'send', stepKey: `${ON_TIMEOUT}.branch[0].steps[0]`, template: 'cart-discount' },
      { kind: 'exit', reason: 'completed' },
    ]);
    expect(third.state).toMatchObject({ at: null, phase: 'done', exitReason: 'completed' });
    expect(third.state.wakeAt).toBeUndefined();
  });

  it('a small cart takes the otherwise arm: last call instead of a discount', () => {
    const first = begin(plan, { checkout_id: 'k-1', total: 40 }, f);
    const second = step(plan, first.state, { kind: 'wake', facts: f }, at(HOUR));
    const third = step(plan, second.state, { kind: 'wake', facts: f }, at(HOUR + DAY));
    expect(third.effects[0]).toEqual({ kind: 'send', stepKey: `${ON_TIMEOUT}.branch.otherwise[0]`, template: 'cart-last-call' });
  });

  it('a clicker leaves the wait_until at once and gets nothing more', () => {
    const first = begin(plan, { total: 129 }, f);
    const second = step(plan, first.state, { kind: 'wake', facts: f }, at(HOUR));
    const click = step(plan, second.state, { kind: 'event', event: event('email.clicked', at(2 * HOUR)), facts: f }, at(2 * HOUR));
    expect(click.effects).toEqual([{ kind: 'exit', reason: 'completed' }]);
    const later = step(plan, click.state, { kind: 'wake', facts: f }, at(HOUR + DAY));
    expect(later).toEqual({ state: click.state, effects: [] });
  });

  it('a buyer within the hour exits on order.created and is never mailed', () => {
    const first = begin(plan, { total: 129 }, f);
    const order = step(plan, first.state, { kind: 'event', event: event('order.created', at(20 * MIN)), facts: f }, at(20 * MIN));
    expect(order.effects).toEqual([{ kind: 'exit', reason: 'exit_on:order.created' }]);
    expect(order.state).toMatchObject({ at: null, phase: 'done', exitReason: 'exit_on:order.created' });
    expect(step(plan, order.state, { kind: 'wake', facts: f }, at(HOUR)).effects).toEqual([]);
    expect(step(plan, order.state, { kind: 'event', event: event('email.clicked', at(HOUR)), facts: f }, at(HOUR)).effects).toEqual([]);
  });

  it('a buyer during the wait_until exits with no further send', () => {
    const first = begin(plan, { total: 129 }, f);
    const second = step(plan, first.state, { kind: 'wake', facts: f }, at(HOUR));
    const order = step(plan, second.state, { kind: 'event', event: event('order.created', at(3 * HOUR)), facts: f }, at(3 * HOUR));
    expect(order.effects).toEqual([{ kind: 'exit', reason: 'exit_on:order.created' }]);
    expect(step(plan, order.state, { kind: 'wake', facts: f }, at(HOUR + DAY)).effects).toEqual([]);
  });

  it('the branch reads the cart from the run state even when the caller passes no trigger facts', () => {
    const first = begin(plan, { total: 100 }, f);
    expect(f.trigger).toBeUndefined();
    const second = step(plan, first.state, { kind: 'wake', facts: f }, at(HOUR));
    const third = step(plan, second.state, { kind: 'wake', facts: f }, at(HOUR + DAY));
    expect(third.effects[0]).toMatchObject({ template: 'cart-discount' });
  });
});
