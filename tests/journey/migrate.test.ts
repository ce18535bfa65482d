import { describe, expect, it } from 'vitest';
import { migrateState, type RunState } from '../../src/journey';
import { at, begin, facts, HOUR, makePlan, send, split, wait, waitUntil, step } from './factory';

const f = facts();
const v1 = makePlan([wait(HOUR, 'first-wait'), send('a', { id: 'mail-a' })], { migrate: true });

function migrated(result: ReturnType<typeof migrateState>): RunState {
  if (!('state' in result)) throw new Error(`expected a state, got exit ${result.exit}`);
  return result.state;
}

describe('migrateState', () => {
  it('keeps a sleeping run at the same key with its wakeAt; it then follows the new version', () => {
    const v2 = makePlan([send('hello', { id: 'hello' }), wait(HOUR, 'first-wait'), send('b', { id: 'mail-b' })], { migrate: true });
    const sleeping = begin(v1).state;
    const moved = migrated(migrateState(v1, v2, sleeping));
    // Everything but the cycle guard's step count, which starts again on the new version.
    const { taken: _taken, ...rest } = sleeping;
    expect(moved).toEqual(rest);
    const woke = step(v2, moved, { kind: 'wake', facts: f }, at(HOUR));
    expect(woke.effects).toEqual([
      { kind: 'send', stepKey: 'mail-b', template: 'b' },
      { kind: 'exit', reason: 'completed' },
    ]);
  });

  it('a run whose step vanished exits with step_removed:<key>', () => {
    const v2 = makePlan([send('a', { id: 'mail-a' })], { migrate: true });
    expect(migrateState(v1, v2, begin(v1).state)).toEqual({ exit: 'step_removed:first-wait' });
  });

  it('an awaiting run keeps its timeout, and on_timeout follows the new version', () => {
    const old = makePlan([waitUntil('email.clicked', HOUR, [send('old-nudge')])]);
    const next = makePlan([waitUntil('email.clicked', 2 * HOUR, [send('new-nudge')])]);
    const awaiting = begin(old).state;
    const moved = migrated(migrateState(old, next, awaiting));
    expect(moved.wakeAt).toBe(at(HOUR).toISOString());
    expect(step(next, moved, { kind: 'wake', facts: f }, at(HOUR)).effects[0]).toMatchObject({ template: 'new-nudge' });
  });

  it('when the key now names another kind of step, the run executes it at its old wake time', () => {
    const old = makePlan([wait(HOUR), send('a')]);
    const shifted = makePlan([send('hello'), wait(HOUR), send('a')]);
    const moved = migrated(migrateState(old, shifted, begin(old).state));
    expect(moved).toMatchObject({ at: 'steps[0]', phase: 'ready', wakeAt: at(HOUR).toISOString() });
    expect(step(shifted, moved, { kind: 'wake', facts: f }, at(HOUR - 1)).effects).toEqual([{ kind: 'wake_at', at: at(HOUR) }]);
    const woke = step(shifted, moved, { kind: 'wake', facts: f }, at(HOUR));
    expect(woke.effects).toEqual([
      { kind: 'send', stepKey: 'steps[0]', template: 'hello' },
      { kind: 'wake_at', at: at(2 * HOUR) },
    ]);
    expect(woke.state.wakeAt).toBe(at(2 * HOUR).toISOString());
  });

  it('keeps split choices for splits that still exist and drops the others', () => {
    const old = makePlan([split({ A: [50, []], B: [50, []] }, 'ab'), split({ X: [50, []], Y: [50, []] }, 'xy'), wait(HOUR, 'w')]);
    const next = makePlan([split({ A: [50, []], B: [50, []] }, 'ab'), wait(HOUR, 'w')]);
    const state = begin(old).state;
    expect(Object.keys(state.splits).sort()).toEqual(['ab', 'xy']);
    expect(migrated(migrateState(old, next, state)).splits).toEqual({ ab: state.splits.ab });
  });

  it('a finished run moves unchanged', () => {
    const done = begin(makePlan([send('x')])).state;
    expect(migrateState(v1, makePlan([]), done)).toEqual({ state: done });
  });
});
