import type { CampaignPlan } from '../dsl/plan';
import { indexPlan } from './navigate';
import type { RunState } from './state';

/**
 * The send a run will queue when it wakes, if that is certain now: the run sleeps in a `wait`
 * and the steps after it, up to a `send`, are only `update`/`emit` (which take no time and
 * decide nothing). Anything else — a `wait_until` (the awaited event may come), a branch or a
 * split before the send, a run not sleeping — is not foreseen. Priority look-ahead
 * (src/calendar/caps.ts) keeps cap slots for these; the forecast's walk marks the same sends
 * (src/forecast/journeys.ts) so the two agree.
 */
export function nextSendAfterWait(plan: CampaignPlan, state: RunState): { stepKey: string } | undefined {
  if (state.phase !== 'sleeping' || state.at === null) return undefined;
  const index = indexPlan(plan);
  const slot = index.get(state.at);
  if (!slot || slot.step.kind !== 'wait') return undefined;
  for (let key = slot.next, budget = index.size; key !== null && budget > 0; budget--) {
    const step = index.get(key)?.step;
    if (!step) return undefined;
    if (step.kind === 'send') return { stepKey: step.key };
    if (step.kind !== 'update' && step.kind !== 'emit') return undefined;
    key = index.get(key)!.next;
  }
  return undefined;
}
