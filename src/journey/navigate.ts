import type { CampaignPlan, Step } from '../dsl/plan';
import { childLists, walkSteps } from '../dsl/walk';

/**
 * Where a step sits in the plan tree. `next` is the key to execute when this step is finished:
 * its next sibling, or — at the end of a nested list — whatever follows the step that owns the
 * list (a branch/split arm continues after the branch/split, `on_timeout` after the wait_until),
 * or null at the end of the campaign.
 */
export interface StepSlot {
  step: Step;
  next: string | null;
  /** Key of the step whose nested list holds this one (null at the top level). */
  parent: string | null;
}

export type PlanIndex = Map<string, StepSlot>;

/**
 * Index a plan's steps by key. The compiler guarantees unique keys; should a hand-made plan
 * repeat one, the first occurrence wins (and the loop guard in `step` stops any cycle that
 * causes). Built per call: plans hold tens of steps, so this costs microseconds.
 */
export function indexPlan(plan: CampaignPlan): PlanIndex {
  const index: PlanIndex = new Map();
  const visit = (list: Step[], after: string | null, parent: string | null) => {
    list.forEach((step, i) => {
      const next = list[i + 1]?.key ?? after;
      if (!index.has(step.key)) index.set(step.key, { step, next, parent });
      for (const child of childLists(step)) visit(child, next, step.key);
    });
  };
  visit(plan.steps, null, null);
  return index;
}

/** Key to execute on entering `list`: its first step, or `after` when the list is empty. */
export function entryOf(list: Step[], after: string | null): string | null {
  return list[0]?.key ?? after;
}

/** Every step by key. */
export function stepsByKey(plan: CampaignPlan): Map<string, Step> {
  return new Map([...indexPlan(plan)].map(([key, slot]) => [key, slot.step]));
}

/** The key executed after `key` finishes (undefined when `key` is not in the plan). */
export function nextKey(plan: CampaignPlan, key: string): string | null | undefined {
  const slot = indexPlan(plan).get(key);
  return slot ? slot.next : undefined;
}

/** Keys of the steps enclosing `key`, innermost first (empty at the top level). */
export function parentKeys(plan: CampaignPlan, key: string): string[] {
  const index = indexPlan(plan);
  const out: string[] = [];
  // Bounded by the plan's size so a malformed plan with repeated keys cannot loop here.
  for (let p = index.get(key)?.parent ?? null; p !== null && out.length < index.size; p = index.get(p)?.parent ?? null) {
    out.push(p);
  }
  return out;
}

/** Every step key, depth-first in source order (what `almanac plan` diffs between versions). */
export function listStepKeys(plan: CampaignPlan): string[] {
  return [...walkSteps(plan.steps)].map((s) => s.key);
}
