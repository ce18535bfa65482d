import type { Facts } from '../dsl/condition';
import { evaluate } from '../dsl/conditions/evaluate';
import type { CampaignPlan, Step } from '../dsl/plan';
import { drawKey } from '../journey/holdout';
import { entryOf, indexPlan, type PlanIndex } from '../journey/navigate';
import { chooseArm } from '../journey/split';
import type { RunState } from '../journey/state';

/**
 * Where a journey will send, predicted by walking its plan forward WITHOUT a database, the way
 * `step` would if nothing unexpected happened. The guesses, in one place:
 *
 * - `wait` takes its duration; a `wait_until` is assumed to TIME OUT (the awaited click or
 *   purchase never comes), so its `on_timeout` steps run after the full timeout. For the sample
 *   campaigns that makes the count an upper bound: the event path sends nothing extra.
 * - `exit_on` events are not foreseen (a buyer's cart mail is still counted); `emit` starts
 *   nothing here (a campaign triggered by it shows up through its own trigger rate).
 * - A known contact (an in-flight run): a `branch` takes the first arm whose `when` holds on the
 *   contact's CURRENT facts, evaluated at the predicted instant (so `within 7d` windows slide),
 *   with the run's trigger under `trigger.`/`cart.` and earlier `update` steps applied; a
 *   `split` takes the contact's real sticky arm (same hash as the engine).
 * - A future entry (no contact yet): a `branch` takes `otherwise` (the default path), a
 *   `split` forks into every arm weighted by its percent.
 */

/** One send the walk expects: its step, template, when it falls due (before any gate) and its weight (1 for a known contact). */
export interface PredictedSend {
  stepKey: string;
  template: string;
  due: Date;
  weight: number;
  /**
   * From when the engine can see this send coming: the start of the `wait` right before it
   * (only `update`/`emit` between), the rule of src/journey/next-send.ts that priority
   * look-ahead uses. Absent: it is not foreseen (it follows a wait_until, a branch, a split).
   */
  visibleFrom?: Date;
}

type Chooser = {
  branch(step: Extract<Step, { kind: 'branch' }>, facts: Facts | undefined, at: Date): Step[];
  split(step: Extract<Step, { kind: 'split' }>, splits: Record<string, string>): Array<{ steps: Step[]; weight: number }>;
};

interface Walk {
  plan: CampaignPlan;
  index: PlanIndex;
  until: number;
  choose: Chooser;
  out: PredictedSend[];
}

/**
 * The sends an in-flight run will make before `until`. `wakeAt` is the run's `next_wake_at`
 * (null: due now); nothing is predicted before `now`, since a late run steps at the next tick.
 */
export function predictRunSends(input: {
  plan: CampaignPlan;
  state: RunState;
  wakeAt: Date | null;
  facts: Facts;
  now: Date;
  until: Date;
}): PredictedSend[] {
  const { plan, state, facts, now, until } = input;
  if (state.phase === 'done' || state.at === null) return [];
  const index = indexPlan(plan);
  const wake = input.wakeAt ?? (state.wakeAt ? new Date(state.wakeAt) : now);
  const t = Math.max(now.getTime(), wake.getTime());
  let from: string | null = state.at;
  const slot = index.get(state.at);
  if (state.phase !== 'ready') {
    if (!slot) return [];
    from = state.phase === 'awaiting' && slot.step.kind === 'wait_until' ? entryOf(slot.step.onTimeout, slot.next) : slot.next;
  }
  const choose: Chooser = {
    branch: (step, f, at) => step.arms.find((a) => evaluate(a.when, f!, at))?.steps ?? step.otherwise,
    split: (step, splits) => {
      const arm = chooseArm(plan, step, drawKey(facts.contact), splits);
      return [{ steps: arm?.steps ?? [], weight: 1 }];
    },
  };
  const walk: Walk = { plan, index, until: until.getTime(), choose, out: [] };
  const withTrigger = facts.trigger === undefined ? { ...facts, trigger: state.trigger.properties } : facts;
  // A sleeping run sits in a `wait` now: the engine already sees the send right after it.
  walkFrom(walk, from, t, 1, withTrigger, { ...state.splits }, index.size, state.phase === 'sleeping' ? now.getTime() : undefined);
  return walk.out;
}

/**
 * The sends one future entry makes, with their delays after the entry (`due` counts from
 * `entryAt`), along the default path: `otherwise` at branches, every split arm by its percent.
 */
export function predictEntrySends(plan: CampaignPlan, entryAt: Date, until: Date): PredictedSend[] {
  const index = indexPlan(plan);
  const choose: Chooser = {
    branch: (step) => step.otherwise,
    split: (step) => step.arms.map((a) => ({ steps: a.steps, weight: a.percent / 100 })),
  };
  const walk: Walk = { plan, index, until: until.getTime(), choose, out: [] };
  walkFrom(walk, entryOf(plan.steps, null), entryAt.getTime(), 1, undefined, {}, index.size);
  return walk.out;
}

/**
 * Follow the plan from `key` at time `t`. Continuations only move forward in source order, so a
 * valid plan visits each step once per path; `budget` stops a cycle from repeated keys.
 */
function walkFrom(
  w: Walk,
  key: string | null,
  t: number,
  weight: number,
  facts: Facts | undefined,
  splits: Record<string, string>,
  budget: number,
  sleepingSince?: number,
): void {
  for (; key !== null && budget > 0 && t < w.until; budget--) {
    const slot = w.index.get(key);
    if (!slot) return;
    const { step, next } = slot;
    switch (step.kind) {
      case 'send':
        w.out.push({
          stepKey: step.key,
          template: step.template,
          due: new Date(t),
          weight,
          ...(sleepingSince === undefined ? {} : { visibleFrom: new Date(sleepingSince) }),
        });
        sleepingSince = undefined;
        key = next;
        break;
      case 'update':
        if (facts) facts = { ...facts, contact: { ...facts.contact, attributes: { ...facts.contact.attributes, ...step.attributes } } };
        key = next;
        break;
      case 'emit':
      case 'webhook':
        key = next;
        break;
      case 'exit':
        return;
      case 'wait':
        sleepingSince = t;
        t += step.ms;
        key = next;
        break;
      case 'wait_until':
        sleepingSince = undefined;
        t += step.timeoutMs;
        key = entryOf(step.onTimeout, next);
        break;
      case 'branch':
        sleepingSince = undefined;
        key = entryOf(w.choose.branch(step, facts, new Date(t)), next);
        break;
      case 'split': {
        sleepingSince = undefined;
        const arms = w.choose.split(step, splits);
        for (const arm of arms.slice(1)) walkFrom(w, entryOf(arm.steps, next), t, weight * arm.weight, facts, { ...splits }, budget - 1);
        weight *= arms[0]?.weight ?? 1;
        key = entryOf(arms[0]?.steps ?? [], next);
        break;
      }
    }
  }
}
