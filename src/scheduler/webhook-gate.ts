import { blackoutDays, blackoutOn, nextAllowedInstant, releaseFromQuietHours, SEARCH_DAYS, zoneOrFallback } from '../calendar/index';
import type { CalendarPlan, WebhookGate } from '../dsl/plan';

export interface WebhookGateContext {
  /** The newest consent_records row for (contact, the campaign's purpose). */
  consent: 'granted' | 'withdrawn' | 'pending' | 'none';
  timezone: string | null;
  calendar?: CalendarPlan;
}

export type WebhookGateDecision =
  { action: 'call' } | { action: 'suppress'; reason: string } | { action: 'defer'; until: Date; reason: string };

/**
 * Whether one claimed webhook call may be made at `now`, by its step's `gate` (defaults in
 * src/dsl/compile/webhook.ts). Pure. `consent`: the contact's consent for the campaign's purpose,
 * else suppressed; `blackout`: the calendar's blackout days (its zone); `quietHours`: the
 * calendar's quiet hours in the contact's zone (else the calendar's) — either holds the call
 * until the next allowed instant. No address, suppression list or frequency cap is consulted:
 * those are about mail.
 */
export function webhookGate(call: { purpose: string; gate: WebhookGate }, context: WebhookGateContext, now: Date): WebhookGateDecision {
  const { gate, purpose } = call;
  if (gate.consent && context.consent !== 'granted') {
    const why = { withdrawn: 'withdrawn', pending: 'double opt-in not confirmed yet', none: 'never given' }[context.consent];
    return { action: 'suppress', reason: `no consent for ${purpose} (${why})` };
  }
  const calendar = context.calendar;
  if (!calendar || (!gate.blackout && !gate.quietHours)) return { action: 'call' };
  const blackout = gate.blackout ? blackoutOn(now, calendar) : null;
  const zone = zoneOrFallback(context.timezone, calendar.timezone).zone;
  const quiet = !blackout && gate.quietHours && releaseFromQuietHours(now, zone, calendar.quietHours).getTime() !== now.getTime();
  if (!blackout && !quiet) return { action: 'call' };
  const held = blackout ? `blackout: ${blackout.reason}` : 'quiet hours';
  const until = nextAllowedInstant(now, calendar, context.timezone, {
    quiet: gate.quietHours,
    isBlackout: gate.blackout ? blackoutDays(calendar) : () => false,
  });
  if (!until) return { action: 'suppress', reason: `${held}: no allowed time in the next ${SEARCH_DAYS} days` };
  return { action: 'defer', until, reason: held };
}
