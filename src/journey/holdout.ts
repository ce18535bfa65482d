import type { CampaignPlan } from '../dsl/plan';
import { bucketOf } from './hash';

/**
 * Whether `contactId` is in the campaign's holdout group: true for `holdoutPercent`% of contacts,
 * the same answer every time (and across versions), so lift can be measured. Salted differently
 * from splits, so the held-out group is not correlated with any split arm.
 */
export function isHeldOut(plan: CampaignPlan, contactId: string | number): boolean {
  if (plan.holdoutPercent <= 0) return false;
  return bucketOf(['holdout', String(contactId), plan.id]) < plan.holdoutPercent;
}
