import { allocateCaps } from '../calendar/caps';
import type { CalendarPlan } from '../dsl/plan';
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
 * Returns the sends that may go out.
 */
export async function applyCaps(
  database: Database,
  sends: ClaimedSend[],
  calendar: CalendarPlan | undefined,
  now: Date,
  out: BatchOutcomes,
): Promise<ClaimedSend[]> {
  const caps = calendar?.frequencyCaps ?? [];
  const capped = sends.filter((s) => s.purpose !== TRANSACTIONAL_PURPOSE);
  if (caps.length === 0 || capped.length === 0) return sends;
  const longest = Math.max(...caps.map((c) => c.perMs));
  return database.db.transaction(async (tx) => {
    const contactIds = [...new Set(capped.map((s) => s.contactId))].sort((a, b) => a - b);
    await lockContacts(tx, contactIds);
    const recent = await approvedSendsSince(tx, contactIds, new Date(now.getTime() - longest));
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
