import { describe, expect, it } from 'vitest';
import { bucketOf, isHeldOut } from '../../src/journey';
import { begin, facts, HOUR, at, makePlan, send, split, wait, step } from './factory';

const threeWay = makePlan([split({ A: [50, [send('a')]], B: [30, [send('b')]], C: [20, [send('c')]] }), send('after')]);
const armOf = (id: number, plan = threeWay) => begin(plan, {}, facts({ id })).state.splits['steps[0]'];

describe('split', () => {
  it('sends through the chosen arm, remembers the choice, then continues after the split', () => {
    const result = begin(threeWay, {}, facts({ id: 7 }));
    const arm = result.state.splits['steps[0]'];
    expect(['A', 'B', 'C']).toContain(arm);
    expect(result.effects.flatMap((e) => (e.kind === 'send' ? [e.stepKey] : []))).toEqual([`steps[0].split.${arm}[0]`, 'steps[1]']);
  });

  it('is sticky: the same contact lands in the same arm on every run and in every process', () => {
    for (let id = 1; id <= 200; id++) expect(armOf(id)).toBe(armOf(id));
  });

  it('a remembered choice wins over the hash; a remembered arm that no longer exists is chosen again', () => {
    const plan = makePlan([wait(HOUR), split({ A: [50, [send('a')]], B: [50, [send('b')]] })]);
    const id = 7;
    const sleeping = begin(plan, {}, facts({ id })).state;
    const woke = (splits: Record<string, string>) => step(plan, { ...sleeping, splits }, { kind: 'wake', facts: facts({ id }) }, at(HOUR));
    const hashed = woke({}).state.splits['steps[1]']!;
    const other = hashed === 'A' ? 'B' : 'A';
    expect(woke({ 'steps[1]': other }).effects[0]).toMatchObject({ template: other.toLowerCase() });
    expect(woke({ 'steps[1]': other }).state.splits).toEqual({ 'steps[1]': other });
    expect(woke({ 'steps[1]': 'Z' }).effects[0]).toMatchObject({ template: hashed.toLowerCase() });
    expect(woke({ 'steps[1]': 'Z' }).state.splits).toEqual({ 'steps[1]': hashed });
  });

  it('10 000 contacts land within 1.5 points of the shares', () => {
    const counts: Record<string, number> = { A: 0, B: 0, C: 0 };
    for (let id = 1; id <= 10_000; id++) counts[armOf(id)!]! += 1;
    expect(Math.abs(counts.A! - 5000)).toBeLessThan(150);
    expect(Math.abs(counts.B! - 3000)).toBeLessThan(150);
    expect(Math.abs(counts.C! - 2000)).toBeLessThan(150);
  });

  it('two splits in one campaign choose independently (salted by step key)', () => {
    const two = makePlan([split({ A: [50, []], B: [50, []] }), split({ A: [50, []], B: [50, []] })]);
    let same = 0;
    for (let id = 1; id <= 4000; id++) {
      const { splits } = begin(two, {}, facts({ id })).state;
      if (splits['steps[0]'] === splits['steps[1]']) same += 1;
    }
    expect(same / 4000).toBeGreaterThan(0.46);
    expect(same / 4000).toBeLessThan(0.54);
  });

  it('percents summing under 100 leave the rest to the last arm', () => {
    const short = makePlan([split({ A: [10, []], B: [10, []] })]);
    const arms = new Set(Array.from({ length: 500 }, (_, i) => armOf(i, short)));
    expect(arms).toEqual(new Set(['A', 'B']));
  });
});

describe('bucketOf', () => {
  it('is pinned: changing the hash would silently reshuffle holdout groups and new split entries', () => {
    expect(bucketOf(['holdout', '42', 'abandoned-cart'])).toBe(12.79);
    expect(bucketOf(['split', '1', 'win-back', 'steps[0]'])).toBe(89.06);
  });
});

describe('holdout', () => {
  it('holds out about holdoutPercent of contacts, the same ones every time', () => {
    const plan = makePlan([], { holdoutPercent: 10 });
    let held = 0;
    for (let id = 1; id <= 10_000; id++) {
      const h = isHeldOut(plan, id);
      expect(isHeldOut(plan, String(id))).toBe(h);
      if (h) held += 1;
    }
    expect(held).toBeGreaterThan(850);
    expect(held).toBeLessThan(1150);
  });

  it('0% holds out nobody and 100% everybody', () => {
    const none = makePlan([], { holdoutPercent: 0 });
    const all = makePlan([], { holdoutPercent: 100 });
    for (let id = 1; id <= 1000; id++) {
      expect(isHeldOut(none, id)).toBe(false);
      expect(isHeldOut(all, id)).toBe(true);
    }
  });

  it('is not the same group as a split arm of the same size', () => {
    const plan = makePlan([split({ A: [10, []], B: [90, []] })], { holdoutPercent: 10 });
    let both = 0;
    for (let id = 1; id <= 10_000; id++) if (isHeldOut(plan, id) && armOf(id, plan) === 'A') both += 1;
    expect(both).toBeLessThan(200); // independent: about 1% (100); identical would be 1000
  });
});
