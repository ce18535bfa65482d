import type { CalendarPlan } from '../dsl/plan';
import { blackoutDays, nextAllowedInstant } from '../calendar/blackout';
import { allocateCaps, type RecentSend } from '../calendar/caps';
import type { Range } from '../calendar/occurrences';
import { instantToLocal } from '../calendar/zone';

/**
 * The dispatcher's decisions replayed on predicted sends, one contact at a time: what the gate
 * (blackout days, quiet hours) and the frequency caps with priority (`allocateCaps`, the very
 * function the dispatcher calls) do to each send, on an ideal clock that ticks exactly when
 * something falls due. Pure; the forecast's I/O shell gathers the candidates.
 */

export interface ForecastCandidate {
  campaign: string;
  source: 'broadcast' | 'journey';
  purpose: string;
  priority: number;
  transactional: boolean;
  /** When the send is queued (the run steps, the occurrence fans out). */
  due: Date;
  /** Expected number of such sends (1 for a known send; fractions for holdout shares and split arms). */
  weight: number;
  /** Already held by the gate before the forecast began (a `deferred` row): counts as deferred. */
  held?: boolean;
  /**
   * The index (in the contact's `candidates`) of the send of the same run just before this one:
   * the journey waits for that send, so this one is not due until it has gone out, and moves by
   * as much as it was held. Absent: nothing of its run comes before it.
   */
  after?: number;
  /**
   * From when the engine foresees this send (its run sleeps in the wait right before it): from
   * then on, lower-priority sends yield cap slots to it (priority look-ahead). Moves with its
   * run like `due`. Absent: not foreseen.
   */
  visibleFrom?: Date;
}

/** Chain one run's predicted sends, in order, as `after` links (indices from `offset`, where they will sit in `candidates`). */
export function chainRun(sends: ForecastCandidate[], offset: number): ForecastCandidate[] {
  return sends.map((c, i) => (i === 0 ? c : { ...c, after: offset + i - 1 }));
}

/** One contact, or `weight` contacts known to have exactly the same sends (same zone, same broadcasts). */
export interface ForecastContact {
  zone: string | null;
  weight: number;
  candidates: ForecastCandidate[];
  /** Sends already approved through caps, still inside a cap window. */
  recent: RecentSend[];
}

export interface SettledSend {
  candidate: ForecastCandidate;
  /** When it goes out. */
  at: Date;
  /** candidate weight × contact weight */
  weight: number;
}

/** A forecast row: sends going out on one calendar-zone day for one campaign and source. */
export interface ForecastRow {
  /** YYYY-MM-DD in the calendar zone */
  date: string;
  campaign: string;
  sends: number;
  /** of those, how many were moved by quiet hours, a blackout or a frequency cap */
  deferred: number;
  source: 'broadcast' | 'journey';
}

/**
 * Replay one contact's candidates until `horizon`: at each instant something is due, marketing
 * sends first pass the gate (moved to `nextAllowedInstant`, dropped when none is found), then
 * those still due compete for cap slots by priority; a deferred send is due again at `until`.
 * Sends still pending at `horizon` are not returned. `isBlackout` may be shared across contacts.
 */
export function settleContact(
  contact: ForecastContact,
  calendar: CalendarPlan,
  horizon: Date,
  isBlackout: (day: string) => boolean = blackoutDays(calendar),
): SettledSend[] {
  const pending = contact.candidates.map((candidate, id) => ({
    id,
    candidate,
    notBefore: candidate.due.getTime(),
    visibleFrom: candidate.visibleFrom?.getTime(),
  }));
  const recent = [...contact.recent];
  const out: SettledSend[] = [];
  // A send waits for the one before it in its run (`after`); `settledAt` says when each went.
  const settledAt = new Map<number, number>();
  const waiting = new Set(pending.filter((p) => p.candidate.after !== undefined).map((p) => p.id));
  const release = (id: number, at: number) => {
    settledAt.set(id, at);
    const delay = at - contact.candidates[id]!.due.getTime();
    for (const p of pending) {
      if (p.candidate.after !== id) continue;
      waiting.delete(p.id);
      p.notBefore += Math.max(0, delay);
      if (p.visibleFrom !== undefined) p.visibleFrom += Math.max(0, delay);
    }
  };
  // Every pass settles or moves at least one send forward; the bound only guards a bad calendar.
  for (let guard = pending.length * 64 + 16; pending.length > 0 && guard > 0; guard--) {
    const ready = pending.filter((p) => !waiting.has(p.id));
    if (ready.length === 0) break;
    const t = Math.min(...ready.map((p) => p.notBefore));
    if (t >= horizon.getTime()) break;
    const now = new Date(t);
    const passed: typeof pending = [];
    for (const p of ready.filter((x) => x.notBefore === t)) {
      if (p.candidate.transactional) {
        passed.push(p);
        continue;
      }
      const allowed = nextAllowedInstant(now, calendar, contact.zone, { quiet: true, isBlackout });
      if (allowed === null) pending.splice(pending.indexOf(p), 1);
      else if (allowed.getTime() > t) p.notBefore = allowed.getTime();
      else passed.push(p);
    }
    if (passed.length === 0) continue;
    // Priority look-ahead, as the dispatcher sees it: the sends of runs sleeping in their wait.
    const upcoming = pending
      .filter(
        (p) => !waiting.has(p.id) && p.notBefore > t && p.visibleFrom !== undefined && p.visibleFrom <= t && !p.candidate.transactional,
      )
      .flatMap((p) => {
        const at = nextAllowedInstant(new Date(p.notBefore), calendar, contact.zone, { quiet: true, isBlackout });
        return at ? [{ at, campaign: p.candidate.campaign, purpose: p.candidate.purpose, priority: p.candidate.priority }] : [];
      });
    const decisions = allocateCaps({
      candidates: passed.map((p) => ({ id: p.id, ...pick(p.candidate) })),
      recent,
      caps: calendar.frequencyCaps,
      onConflict: calendar.onConflict,
      now,
      upcoming,
    });
    decisions.forEach((d, i) => {
      const p = passed[i]!;
      if (d.action === 'defer') {
        p.notBefore = d.until.getTime();
        return;
      }
      pending.splice(pending.indexOf(p), 1);
      release(p.id, t); // sent or suppressed by the cap: either way settled, and its run goes on
      if (d.action === 'skip') return;
      out.push({ candidate: p.candidate, at: now, weight: p.candidate.weight * contact.weight });
      recent.push({ at: now, purpose: p.candidate.purpose, transactional: p.candidate.transactional });
    });
  }
  return out;
}

const pick = (c: ForecastCandidate) => ({ campaign: c.campaign, purpose: c.purpose, priority: c.priority, transactional: c.transactional });

/**
 * Settled sends → rows per calendar-zone day, campaign and source, counting those going out in
 * [range.from, range.to). Weights add up first and are rounded once per row, so fractional
 * shares (holdout, split arms, trigger rates) round where they are summed, not per send.
 */
export function tallyForecast(settled: Iterable<SettledSend>, calendarZone: string, range: Range): ForecastRow[] {
  const rows = new Map<string, ForecastRow>();
  for (const s of settled) {
    const t = s.at.getTime();
    if (t < range.from.getTime() || t >= range.to.getTime() || !(s.weight > 0)) continue;
    const date = instantToLocal(s.at, calendarZone).date;
    const key = `${date}\u0000${s.candidate.campaign}\u0000${s.candidate.source}`;
    const row = rows.get(key) ?? { date, campaign: s.candidate.campaign, sends: 0, deferred: 0, source: s.candidate.source };
    row.sends += s.weight;
    if (t !== s.candidate.due.getTime() || s.candidate.held) row.deferred += s.weight;
    rows.set(key, row);
  }
  return [...rows.values()]
    .map((r) => ({ ...r, sends: Math.round(r.sends), deferred: Math.min(Math.round(r.deferred), Math.round(r.sends)) }))
    .filter((r) => r.sends > 0)
    .sort((a, b) => cmp(a.date, b.date) || cmp(a.campaign, b.campaign) || cmp(a.source, b.source));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
