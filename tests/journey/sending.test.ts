import { describe, expect, it } from 'vitest';
import { initialState, migrateState, type RunState, step } from '../../src/journey';
import { factsForRun } from '../../src/journey/entry';
import { DAY, HOUR, abandonedCart, at, event, facts, makePlan, send, t0, wait } from './factory';

/**
 * The journey waits for its send (issue 11), with the real `step`: after a `send` the run sits in
 * phase `sending` with no wake of its own until the dispatcher settles the message (it sets
 * `wakeAt` to the settle time and wakes the run); the rest of the journey counts from then.
 */
const f = facts();
const cart = abandonedCart();
const start = (plan = cart, properties: Record<string, unknown> = { checkout_id: 'k-1', total: 40 }) =>
  step(plan, initialState(plan, event('checkout.started', t0, properties), 'k-1'), { kind: 'start', facts: f }, t0);
const settled = (state: RunState, when: Date): RunState => ({ ...state, wakeAt: when.toISOString() });

describe('a send waits to be settled', () => {
  it('the send step queues its message and waits, with no wake of its own', () => {
    const slept = start();
    const reminded = step(cart, slept.state, { kind: 'wake', facts: f }, at(HOUR));
    expect(reminded.effects).toEqual([{ kind: 'send', stepKey: 'steps[1]', template: 'cart-reminder' }]);
    expect(reminded.state).toMatchObject({ phase: 'sending', at: 'steps[1]' });
    expect(reminded.state.wakeAt).toBeUndefined();
    // Woken before its send settled (a stray wake): nothing moves.
    expect(step(cart, reminded.state, { kind: 'wake', facts: f }, at(2 * HOUR))).toEqual({ state: reminded.state, effects: [] });
  });

  it('a send held 22 h: the wait_until after it times out 24 h after delivery, not after queueing', () => {
    const reminded = step(cart, start().state, { kind: 'wake', facts: f }, at(HOUR));
    const delivered = at(23 * HOUR); // held by a cap from 1 h to 23 h
    const waiting = step(cart, settled(reminded.state, delivered), { kind: 'wake', facts: f }, at(23 * HOUR + 5000));
    expect(waiting.effects).toEqual([{ kind: 'wake_at', at: new Date(delivered.getTime() + DAY) }]);
    expect(waiting.state).toMatchObject({ phase: 'awaiting', at: 'steps[2]' });
    const early = step(cart, waiting.state, { kind: 'wake', facts: f }, at(HOUR + DAY)); // queued + 24 h
    expect(early.effects.filter((e) => e.kind === 'send')).toEqual([]);
    const timeout = step(cart, early.state, { kind: 'wake', facts: f }, new Date(delivered.getTime() + DAY));
    expect(timeout.effects[0]).toMatchObject({ kind: 'send', template: 'cart-last-call' });
  });

  it('a wait after a send counts from the settle time, even when the run steps a tick later', () => {
    const plan = makePlan([send('a'), wait(2 * HOUR), send('b')]);
    const first = step(plan, initialState(plan, event('x', t0), undefined), { kind: 'start', facts: f }, t0);
    const next = step(plan, settled(first.state, at(HOUR)), { kind: 'wake', facts: f }, at(HOUR + 4000));
    expect(next.effects).toEqual([{ kind: 'wake_at', at: at(3 * HOUR) }]);
  });

  it('exit_on still ends a run waiting for its send; other events leave it waiting', () => {
    const reminded = step(cart, start().state, { kind: 'wake', facts: f }, at(HOUR));
    const clicked = step(cart, reminded.state, { kind: 'event', event: event('email.clicked', at(HOUR + 1)), facts: f }, at(HOUR + 1));
    expect(clicked.state).toMatchObject({ phase: 'sending', at: 'steps[1]' });
    const bought = step(cart, reminded.state, { kind: 'event', event: event('order.created', at(2 * HOUR)), facts: f }, at(2 * HOUR));
    expect(bought.effects).toEqual([{ kind: 'exit', reason: 'exit_on:order.created' }]);
  });

  it('a migration keeps a run waiting for its send waiting, whatever step its key names now', () => {
    const reminded = step(cart, start().state, { kind: 'wake', facts: f }, at(HOUR));
    const v2 = makePlan([wait(HOUR), wait(HOUR), send('other')], { ...cart, migrate: true });
    const moved = migrateState(cart, v2, reminded.state);
    expect(moved).toMatchObject({ state: { phase: 'sending', at: 'steps[1]' } });
  });
});

describe('correlated events refresh the run’s trigger', () => {
  it('checkout.updated with the run’s key merges its properties, the latest occurred_at winning', () => {
    const slept = start(cart, { checkout_id: 'k-1', total: 40, currency: 'EUR' });
    const updated = step(
      cart,
      slept.state,
      { kind: 'event', event: event('checkout.updated', at(20 * 60_000), { checkout_id: 'k-1', total: 212.5 }), facts: f },
      at(20 * 60_000),
    );
    expect(updated.state.trigger.properties).toEqual({ checkout_id: 'k-1', total: 212.5, currency: 'EUR' });
    expect(updated.state.trigger.refreshedAt).toBe(at(20 * 60_000).toISOString());
    expect(updated.effects).toEqual([{ kind: 'wake_at', at: at(HOUR) }]); // the wait is untouched
    // An older update delivered late changes nothing.
    const stale = step(
      cart,
      updated.state,
      { kind: 'event', event: event('checkout.updated', at(10 * 60_000), { checkout_id: 'k-1', total: 99 }), facts: f },
      at(25 * 60_000),
    );
    expect(stale.state.trigger.properties.total).toBe(212.5);
  });

  it('another checkout’s update, or a campaign without correlate, leaves the trigger as it was', () => {
    const slept = start();
    const other = step(
      cart,
      slept.state,
      { kind: 'event', event: event('checkout.updated', at(60_000), { checkout_id: 'k-2', total: 1 }), facts: f },
      at(60_000),
    );
    expect(other.state.trigger.properties.total).toBe(40);
    const plain = makePlan([wait(HOUR), send('x')]);
    const run = step(plain, initialState(plain, event('checkout.started', t0, { total: 40 }), undefined), { kind: 'start', facts: f }, t0);
    const after = step(
      plain,
      run.state,
      { kind: 'event', event: event('checkout.updated', at(60_000), { total: 1 }), facts: f },
      at(60_000),
    );
    expect(after.state.trigger.properties.total).toBe(40);
  });
});

describe('a click before the run reaches its wait_until', () => {
  it('counts: a click between the send settling and the step onto wait_until ends the wait at once', () => {
    const reminded = step(cart, start().state, { kind: 'wake', facts: f }, at(HOUR));
    const delivered = at(HOUR + 1000);
    const click = event('email.clicked', at(HOUR + 3000), { run_id: 7, send_id: 1, url: 'https://shop.example/cart' });
    // The tick that steps the run onto the wait_until runs after the click was recorded.
    const next = step(cart, settled(reminded.state, delivered), { kind: 'wake', facts: facts({ events: [click] }) }, at(HOUR + 5000));
    expect(next.state).toMatchObject({ phase: 'done' });
    expect(next.effects.filter((e) => e.kind === 'send')).toEqual([]);
    // A click from before the send settled (an older mail) does not count.
    const old = event('email.clicked', at(HOUR), { run_id: 7 });
    const waiting = step(cart, settled(reminded.state, delivered), { kind: 'wake', facts: facts({ events: [old] }) }, at(HOUR + 5000));
    expect(waiting.state).toMatchObject({ phase: 'awaiting', at: 'steps[2]' });
  });

  it('factsForRun hides tracking events about other runs’ sends, keeps the rest', () => {
    const mine = event('email.clicked', t0, { run_id: 7 });
    const theirs = event('email.clicked', t0, { run_id: 8 });
    const order = event('order.created', t0, { order_id: 'o-1' });
    expect(factsForRun(facts({ events: [mine, theirs, order] }), 7).events).toEqual([mine, order]);
    expect(factsForRun(facts({ events: [mine, order] }), undefined).events).toEqual([order]);
  });
});
