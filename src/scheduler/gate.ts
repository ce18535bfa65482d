import { heldBy, nextAllowedInstant, SEARCH_DAYS } from '../calendar/blackout';
import type { CalendarPlan } from '../dsl/plan';
import { addressProblem } from '../contacts/address';

import { TRANSACTIONAL_PURPOSE } from '../dsl/plan';

export { TRANSACTIONAL_PURPOSE };

export interface GateSend {
  id: number;
  campaign: string;
  purpose: string;
  priority: number;
}

/** What the gate knows about the contact, read for the whole batch just before the provider call. */
export interface GateContext {
  contact: { email: string | null; timezone: string | null; locale: string | null };
  /** The newest consent_records row for (contact, send purpose): granted, withdrawn, a double opt-in awaiting confirmation, or none. */
  consent: 'granted' | 'withdrawn' | 'pending' | 'none';
  /** The suppression's reason when the contact's address hash is in `suppressions`. */
  suppression?: string;
  /** The applied calendar.yaml (quiet hours, blackout); none applied yet: no calendar rules. */
  calendar?: CalendarPlan;
}

export type GateDecision =
  | { action: 'send' }
  | { action: 'suppress'; reason: string }
  | { action: 'defer'; until: Date; reason: string }
  /** The send can never go out as it is (no or invalid address): `failed`, no provider call. */
  | { action: 'fail'; reason: string };

/**
 * Whether one claimed send may go out at `now`. Pure: the dispatcher gathers `context` in batch
 * queries and applies the decision. Order matters: an unusable address fails, a suppressed
 * address is never mailed (not even transactional), then consent for the send's purpose, then
 * the calendar's blackout days and quiet hours (transactional mail skips consent and calendar).
 */
export function gate(send: GateSend, context: GateContext, now: Date): GateDecision {
  const problem = addressProblem(context.contact.email);
  if (problem) return { action: 'fail', reason: problem };
  if (context.suppression !== undefined) return { action: 'suppress', reason: `address is suppressed: ${context.suppression}` };
  const transactional = send.purpose === TRANSACTIONAL_PURPOSE;
  if (!transactional && context.consent !== 'granted') {
    const why = { withdrawn: 'withdrawn', pending: 'double opt-in not confirmed yet', none: 'never given' }[context.consent];
    return { action: 'suppress', reason: `no consent for ${send.purpose} (${why})` };
  }
  // Marketing only: blackout days (calendar zone) and quiet hours (the contact's zone, else the
  // calendar's) hold the send until the next allowed instant. Frequency caps come after the gate,
  // in the dispatcher, because they compare the contact's sends with each other under a lock.
  if (!transactional && context.calendar) {
    const held = heldBy(now, context.calendar, context.contact.timezone, { quiet: true });
    if (held) {
      const until = nextAllowedInstant(now, context.calendar, context.contact.timezone, { quiet: true });
      if (!until) return { action: 'suppress', reason: `${held}: no allowed time in the next ${SEARCH_DAYS} days` };
      return { action: 'defer', until, reason: held };
    }
  }
  return { action: 'send' };
}
