import { describe, expect, it } from 'vitest';
import { initialState, listStepKeys, nextKey, parentKeys, stepsByKey, type RunState } from '../../src/journey';
import { abandonedCart, at, begin, DAY, event, facts, HOUR, makePlan, send, t0, wait, step } from './factory';

const f = facts();
const ON_TIMEOUT = 'steps[2].on_timeout[0]';

describe('navigation from the plan tree', () => {
  const plan = abandonedCart();

  it('lists every key depth-first in source order', () => {
    expect(listStepKeys(plan)).toEqual([
      'steps[0]',
      'steps[1]',
      'steps[2]',
      ON_TIMEOUT,
      `${ON_TIMEOUT}.branch[0].steps[0]`,
      `${ON_TIMEOUT}.branch.otherwise[0]`,
    ]);
    expect([...stepsByKey(plan).keys()].sort()).toEqual([...listStepKeys(plan)].sort());
  });

  it('the end of a nested list continues after its owner; the end of the campaign is null', () => {
    expect(nextKey(plan, 'steps[0]')).toBe('steps[1]');
    expect(nextKey(plan, `${ON_TIMEOUT}.branch[0].steps[0]`)).toBe(null);
    const longer = makePlan([...plan.steps, send('bye')]);
    expect(nextKey(longer, `${ON_TIMEOUT}.branch.otherwise[0]`)).toBe('steps[3]');
    expect(nextKey(plan, 'nope')).toBeUndefined();
  });

  it('parent keys go innermost first', () => {
    expect(parentKeys(plan, `${ON_TIMEOUT}.branch[0].steps[0]`)).toEqual([ON_TIMEOUT, 'steps[2]']);
    expect(parentKeys(plan, 'steps[1]')).toEqual([]);
  });
});

describe('guards', () => {
  it('a plan whose repeated keys form a cycle exits step_limit instead of spinning', () => {
    const cyclic = makePlan([send('x', { id: 'x' }), send('y', { id: 'y' }), send('x again', { id: 'x' })]);
    const result = begin(cyclic);
    expect(result.effects.at(-1)).toEqual({ kind: 'exit', reason: 'step_limit' });
    expect(result.effects.length).toBeLessThan(5);
  });

  it('a long valid run of instantaneous steps is not cut short by the guard', () => {
    const many = makePlan(Array.from({ length: 300 }, (_, i) => send(`t${i}`)));
    const result = begin(many);
    expect(result.effects.filter((e) => e.kind === 'send')).toHaveLength(300);
    expect(result.effects.at(-1)).toEqual({ kind: 'exit', reason: 'completed' });
  });

  it('a run at a key its plan does not have exits step_missing:<key>', () => {
    const plan = makePlan([wait(HOUR)]);
    const lost: RunState = { ...begin(plan).state, at: 'steps[9]' };
    expect(step(plan, lost, { kind: 'wake', facts: f }, at(HOUR)).effects).toEqual([{ kind: 'exit', reason: 'step_missing:steps[9]' }]);
    const lostReady: RunState = { ...lost, phase: 'ready' };
    expect(step(plan, lostReady, { kind: 'wake', facts: f }, at(HOUR)).state.exitReason).toBe('step_missing:steps[9]');
  });

  it('a state of an unknown version is not guessed at', () => {
    const plan = makePlan([send('x')]);
    const future = { ...initialState(plan, event('x', t0), undefined), v: 2 } as unknown as RunState;
    expect(step(plan, future, { kind: 'start', facts: f }, t0).effects).toEqual([{ kind: 'exit', reason: 'state_version:2' }]);
  });
});

describe('determinism', () => {
  const plan = abandonedCart();
  const script = (persist: (s: RunState) => RunState) => {
    const out: unknown[] = [];
    let state = persist(begin(plan, { total: 150, checkout_id: 'k-9' }, f, 'k-9').state);
    const inputs = [
      [{ kind: 'wake', facts: f }, at(HOUR - 5)],
      [{ kind: 'event', event: event('email.opened', at(HOUR)), facts: f }, at(HOUR)],
      [{ kind: 'wake', facts: f }, at(HOUR)],
      [{ kind: 'wake', facts: f }, at(HOUR + DAY)],
    ] as const;
    for (const [input, now] of inputs) {
      const r = step(plan, state, input, now);
      out.push(r);
      state = persist(r.state);
    }
    return out;
  };

  it('the same inputs give the same outputs, also when the state went through jsonb in between', () => {
    const direct = script((s) => s);
    expect(script((s) => s)).toEqual(direct);
    expect(script((s) => JSON.parse(JSON.stringify(s)) as RunState)).toEqual(direct);
  });

  it('step never changes the state object it was given', () => {
    const first = begin(plan, { total: 150 });
    const frozen = JSON.stringify(first.state);
    step(plan, first.state, { kind: 'wake', facts: f }, at(HOUR));
    expect(JSON.stringify(first.state)).toBe(frozen);
  });
});
