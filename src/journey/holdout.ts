import type { ContactFacts } from '../dsl/condition';
import type { CampaignPlan } from '../dsl/plan';
import { bucketOf } from './hash';

/**
 * What holdout and split draws hash for a contact: the shop's external id, else the email, else
 * our row id. Stable across databases, so `almanac simulate` predicts the same groups a real
 * shop gets, and a contact re-imported elsewhere stays in its group.
 */
export function drawKey(contact: Pick<ContactFacts, 'id' | 'external_id' | 'email'>): string {
  return contact.external_id ?? contact.email ?? `#${contact.id}`;
}

/**
 * Whether the contact (its `drawKey`) is in the campaign's holdout group: true for `holdoutPercent`% of contacts,
 * the same answer every time (and across versions), so lift can be measured. Salted differently
 * from splits, so the held-out group is not correlated with any split arm.
 */
export function isHeldOut(plan: CampaignPlan, contactId: string | number): boolean {
  if (plan.holdoutPercent <= 0) return false;
  return bucketOf(['holdout', String(contactId), plan.id]) < plan.holdoutPercent;
}
