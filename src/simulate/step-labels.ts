import type { CampaignPlan } from '../dsl/plan';
import { describeStep, walkSteps } from '../dsl/walk';

/**
 * A step key as a person reads it: keys that are paths (`steps[2].on_timeout[0]…`) become what the
 * step does (`send cart-discount`); an author's `id:` stays as it is; `-` (entries, exits) stays `-`.
 */
export function stepLabeller(campaigns: readonly CampaignPlan[]): (campaign: string, key: string) => string {
  const labels = new Map(campaigns.map((c) => [c.id, new Map([...walkSteps(c.steps)].map((s) => [s.key, describeStep(s)]))]));
  return (campaign, key) => (key === '-' || !key.startsWith('steps[') ? key : (labels.get(campaign)?.get(key) ?? key));
}
