import type { CampaignPlan, Step } from '../dsl/plan';
import { bucketOf } from './hash';

type SplitStep = Extract<Step, { kind: 'split' }>;
type SplitArm = SplitStep['arms'][number];

/**
 * The arm a contact takes at a split: the one remembered in `splits` when it still exists (sticky
 * across calls and across versions), else chosen by the contact's stable bucket over the arms'
 * cumulative percents. Percents summing under 100 (rounding) leave the remainder to the last arm.
 */
export function chooseArm(
  plan: CampaignPlan,
  step: SplitStep,
  contactId: string | number,
  splits: Record<string, string>,
): SplitArm | undefined {
  const remembered = splits[step.key];
  const kept = remembered === undefined ? undefined : step.arms.find((a) => a.name === remembered);
  if (kept) return kept;
  const bucket = bucketOf(['split', String(contactId), plan.id, step.key]);
  let cumulative = 0;
  for (const arm of step.arms) {
    cumulative += arm.percent;
    if (bucket < cumulative) return arm;
  }
  return step.arms[step.arms.length - 1];
}
