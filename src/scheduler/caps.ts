import { allocateCaps, type UpcomingSend } from '../calendar/caps';
import { blackoutDays, nextAllowedInstant } from '../calendar/blackout';
import type { CalendarPlan, CampaignPlan } from '../dsl/plan';
import { nextSendAfterWait } from '../journey/next-send';
import type { RunState } from '../journey/state';
import { sleepingRunsOf } from '../storage/runs';
import type { BatchOutcomes } from './settle';
import type { Database } from '../storage/db';
import { approvedSendsSince, type ClaimedSend, lockContacts, markApproved } from '../storage/sends';
import { TRANSACTIONAL_PURPOSE } from './gate';

/**
 * Frequency caps with priority, race-free: in one transaction, lock the contacts of the batch's
 * sends that passed the gate, read what each already has approved in the longest cap window,
 * let `allocateCaps` decide (highest priority first), stamp the winners `approved_at` and
 * commit. A second dispatcher handling the same contact waits on the lock and then counts
 * these approvals, so two can never both take the last slot. Losers are deferred to when the
 * window frees (`on_conflict: defer`) or suppressed with the cap as reason (`skip`).
 * Priority looks ahead: the contacts' runs sleeping in a wait that ends within the longest cap
 * window, with a send right after it, are read too, and a send yields its slot to such a send of
 * a higher-priority campaign (src/calendar/caps.ts). `zones` (contact id → time zone) moves those
 * upcoming sends past quiet hours as the gate will. (Consent and suppression of the upcoming
 * send are not checked ahead: should it be suppressed when it wakes, the send that yielded
 * comes back at its deferral and takes the slot then.)
 * Returns the sends that may go out.
 */
export async function applyCaps(
  database: Database,
  sends: ClaimedSend[],
  calendar: CalendarPlan | undefined,
  now: Date,
  out: BatchOutcomes,
  zones: ReadonlyMap<number, string | null> = new Map(),
): Promise<ClaimedSend[]> {
  const caps = calendar?.frequencyCaps ?? [];
  const capped = sends.filter((s) => s.purpose !== TRANSACTIONAL_PURPOSE);
  if (caps.length === 0 || capped.length === 0) return sends;
  const longest = Math.max(...caps.map((c) => c.perMs));
  return database.db.transaction(async (tx) => {
    const contactIds = [...new Set(capped.map((s) => s.contactId))].sort((a, b) => a - b);
    await lockContacts(tx, contactIds);
    const recent = await approvedSendsSince(tx, contactIds, new Date(now.getTime() - longest));
    const upcoming = upcomingSends(await sleepingRunsOf(tx, contactIds, new Date(now.getTime() + longest)), calendar!, zones, now);
    const allowed = new Set<number>(sends.filter((s) => s.purpose === TRANSACTIONAL_PURPOSE).map((s) => s.id));
    for (const contactId of contactIds) {
      const candidates = capped.filter((s) => s.contactId === contactId);
      const decisions = allocateCaps({
        candidates: candidates.map((s) => ({
          id: s.id,
          campaign: s.campaign,
          purpose: s.purpose,
          priority: s.priority,
          transactional: false,
        })),
        recent: recent.filter((r) => r.contactId === contactId),
        caps,
        onConflict: calendar!.onConflict,
        now,
        upcoming: upcoming.get(contactId) ?? [],
      });
      for (const d of decisions) {
        if (d.action === 'send') allowed.add(Number(d.id));
        else if (d.action === 'defer') out.deferred.push({ id: Number(d.id), until: d.until, reason: d.reason });
        else out.suppressed.push({ id: Number(d.id), reason: d.reason });
      }
    }
    await markApproved(
      tx,
      [...allowed].filter((id) => capped.some((s) => s.id === id)),
      now,
    );
    return sends.filter((s) => allowed.has(s.id));
  });
}

/** The sends sleeping runs will queue when they wake, by contact, at the time the gate will let them through. */
function upcomingSends(
  sleeping: Awaited<ReturnType<typeof sleepingRunsOf>>,
  calendar: CalendarPlan,
  zones: ReadonlyMap<number, string | null>,
  now: Date,
): Map<number, UpcomingSend[]> {
  const out = new Map<number, UpcomingSend[]>();
  const isBlackout = blackoutDays(calendar);
  for (const run of sleeping) {
    const plan = run.plan as CampaignPlan | null;
    if (!plan || plan.purpose === TRANSACTIONAL_PURPOSE || !nextSendAfterWait(plan, run.state as RunState)) continue;
    const due = run.wakeAt < now ? now : run.wakeAt;
    const at = nextAllowedInstant(due, calendar, zones.get(run.contactId) ?? null, { quiet: true, isBlackout });
    if (!at) continue;
    const list = out.get(run.contactId) ?? [];
    list.push({ at, campaign: plan.id, purpose: plan.purpose, priority: plan.priority });
    out.set(run.contactId, list);
  }
  return out;
}
