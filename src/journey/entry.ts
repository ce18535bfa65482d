import { createHash } from 'node:crypto';
import type { EventFact, Facts } from '../dsl/condition';
import { evaluate } from '../dsl/conditions/evaluate';
import type { CampaignPlan } from '../dsl/plan';
import { whereHolds } from './conditions';
import { drawKey, isHeldOut } from './holdout';

/** What the database knows about this contact's earlier runs of the campaign. */
export interface EntryHistory {
  /** When the newest run of this campaign for this contact started (any status). */
  lastStartedAt?: Date;
  /** Correlation keys of its active runs (`null` for an uncorrelated run). */
  activeKeys: ReadonlySet<string | null>;
}

export type EntryDecision =
  | { start: false; reason: 'no_match' | 'no_contact' | 'audience' | 're_entry' | 'already_running' }
  | { start: true; holdout: boolean; correlationKey: string | null };

/** The correlation key an event carries for a campaign (`correlate: checkout_id`), as text. */
export function correlationKeyOf(plan: CampaignPlan, properties: Record<string, unknown>): string | null {
  if (plan.trigger.kind !== 'event' || !plan.trigger.correlate) return null;
  const v = properties[plan.trigger.correlate];
  if (v === undefined || v === null) return null;
  const key = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  // Stored and indexed with the run: a value of any length (a 3 kB checkout id) must not break the insert.
  return key.length > MAX_CORRELATION_KEY ? `sha256:${createHash('sha256').update(key).digest('hex')}` : key;
}

/**
 * Whether an event is delivered to a run. Almanac's own tracking events (`email.clicked`,
 * `email.opened`, src/tracking/recorder.ts) carry the `run_id` of the send they are about and
 * reach exactly that run, whatever its correlation key — a click on the cart reminder resumes
 * that cart's `wait_until`, and no other run of the contact's. Any other event reaches a run
 * whose correlation key it carries (an uncorrelated run takes every event of its contact).
 */
export function eventReachesRun(
  plan: CampaignPlan,
  run: { id?: number; correlationKey: string | null },
  event: { type: string; properties: Record<string, unknown> },
): boolean {
  const own = event.type.startsWith('email.') ? event.properties.run_id : undefined;
  if (typeof own === 'number' || typeof own === 'string') return run.id !== undefined && String(run.id) === String(own);
  return run.correlationKey === null || correlationKeyOf(plan, event.properties) === run.correlationKey;
}

/**
 * The facts one run may see: the contact's, less tracking events about another run's sends (a
 * click on the newsletter must not satisfy the cart reminder's `wait_until`). See eventReachesRun.
 */
export function factsForRun(facts: Facts, runId: number | undefined): Facts {
  const foreign = (e: EventFact) => {
    const own = e.type.startsWith('email.') ? e.properties.run_id : undefined;
    return (typeof own === 'number' || typeof own === 'string') && (runId === undefined || String(own) !== String(runId));
  };
  return facts.events.some(foreign) ? { ...facts, events: facts.events.filter((e) => !foreign(e)) } : facts;
}

/** Correlation values longer than this are kept as their SHA-256 (the same value → the same key). */
export const MAX_CORRELATION_KEY = 200;

/** Does `event` match the campaign's event trigger (type and `where`)? */
export function triggeredBy(plan: CampaignPlan, event: EventFact, facts: Facts, now: Date): boolean {
  return plan.trigger.kind === 'event' && plan.trigger.event === event.type && whereHolds(plan.trigger.where, event, facts, now);
}

/**
 * Whether a trigger starts a run for this contact, pure. Checked in order: the audience (over
 * the contact now, with the trigger's properties under `trigger.`/`cart.`); one active run per
 * correlation key (a second `checkout.started` for the same checkout joins nothing new);
 * `re_entry` (never: no earlier run at all; after D: none started within D; always); then the
 * holdout draw — a held-out contact still gets a run, recorded as `holdout`, with no sends, so
 * lift can be measured against it.
 */
export function decideEntry(
  plan: CampaignPlan,
  contactFacts: Facts | undefined,
  trigger: Record<string, unknown>,
  correlationKey: string | null,
  history: EntryHistory,
  now: Date,
): EntryDecision {
  if (!contactFacts) return { start: false, reason: 'no_contact' };
  if (plan.audience && !evaluate(plan.audience, { ...contactFacts, trigger }, now)) return { start: false, reason: 'audience' };
  if (history.activeKeys.has(correlationKey)) return { start: false, reason: 'already_running' };
  const last = history.lastStartedAt;
  if (last) {
    const re = plan.reEntry;
    if (re.mode === 'never') return { start: false, reason: 're_entry' };
    if (re.mode === 'after' && now.getTime() - last.getTime() < re.ms) return { start: false, reason: 're_entry' };
  }
  return { start: true, holdout: isHeldOut(plan, drawKey(contactFacts.contact)), correlationKey };
}
