import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/dsl/plan';
import { listStepKeys, type Effect, type RunState } from '../../src/journey';
import { attr, begin, branch, emit, exit, facts, HOUR, makePlan, send, split, update, wait, waitUntil, step } from './factory';

/** Random step trees of every kind, nested up to three levels. */
const stepsArb: fc.Arbitrary<Step[]> = fc.letrec<{ steps: Step[]; step: Step }>((tie) => ({
  steps: fc.array(tie('step'), { maxLength: 4 }),
  step: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null).map(() => send('t')),
    fc.integer({ min: 0, max: 9 }).map((n) => update({ n })),
    fc.constant(null).map(() => emit('e')),
    fc.integer({ min: 0, max: 3 }).map((h) => wait(h * HOUR)),
    fc.constant(null).map(() => exit()),
    fc.tuple(fc.integer({ min: 1, max: 3 }), tie('steps')).map(([h, s]) => waitUntil('never.happens', h * HOUR, s)),
    fc
      .tuple(fc.integer({ min: 0, max: 9 }), tie('steps'), tie('steps'))
      .map(([k, a, b]) => branch([[attr('attributes', 'n', 'gte', k), a]], b)),
    fc.tuple(fc.integer({ min: 0, max: 100 }), tie('steps'), tie('steps')).map(([p, a, b]) => split({ A: [p, a], B: [100 - p, b] })),
  ),
})).steps;

describe('any valid plan, driven by its own wake times', () => {
  it('ends completed or by an exit step, never sends a step twice, names only its steps, ends each call with one wake_at or exit', () => {
    fc.assert(
      fc.property(stepsArb, fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 9 }), (steps, id, n) => {
        const plan = makePlan(steps);
        const f = facts({ id, attributes: { n } });
        const effects: Effect[] = [];
        const take = (r: { effects: Effect[] }) => {
          const ends = r.effects.filter((e) => e.kind === 'wake_at' || e.kind === 'exit');
          expect(ends.length).toBe(1); // exactly one of: wake again at…, or the run ended
          expect(r.effects.at(-1)).toBe(ends[0]);
          effects.push(...r.effects);
        };
        let result = begin(plan, {}, f);
        take(result);
        for (let calls = 0; result.state.phase !== 'done'; calls++) {
          expect(calls).toBeLessThan(100);
          const state = JSON.parse(JSON.stringify(result.state)) as RunState;
          result = step(plan, state, { kind: 'wake', facts: f }, new Date(state.wakeAt!));
          take(result);
        }
        const keys = new Set(listStepKeys(plan));
        const sent = effects.flatMap((e) => (e.kind === 'send' ? [e.stepKey] : []));
        expect(new Set(sent).size).toBe(sent.length);
        for (const key of sent) expect(keys.has(key)).toBe(true);
        expect(['completed', 'exit_step']).toContain(result.state.exitReason);
        expect(effects.filter((e) => e.kind === 'exit')).toHaveLength(1);
      }),
      { numRuns: 300, seed: 20261123 },
    );
  });
});
