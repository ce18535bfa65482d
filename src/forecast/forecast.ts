import { blackoutDays } from '../calendar/blackout';
import { broadcastCandidates, candidateOf, entrySlots, RATE_WINDOW_DAYS } from './candidates';
import { chainRun, type ForecastContact, type ForecastRow, settleContact, tallyForecast } from './settle';
import { predictEntrySends, predictRunSends } from './journeys';
import { BROADCAST_CATCH_UP_MS, type BroadcastTrigger, isBroadcast } from '../calendar/occurrences';
import { zoneOrFallback } from '../calendar/zone';
import type { Facts } from '../dsl/condition';
import { type CampaignPlan, emptyCalendar } from '../dsl/plan';
import { latestCalendarPlan } from '../storage/campaign-versions';
import { drawKey, isHeldOut, type RunState } from '../journey/index';
import { migrateState } from '../journey/migrate';
import { readWatermark, versionCreatedAt } from '../storage/broadcasts';
import type { Database } from '../storage/db';
import { loadFacts } from '../storage/facts';
import { toSql } from '../storage/conditions/sql';
import {
  countAudienceGroups,
  recipientsSql,
  groupKey,
  readActiveRuns,
  readApprovedSince,
  readEntryHours,
  readFirstApplied,
  readMembership,
  readPendingSends,
} from '../storage/forecast';
import { createPlanCache } from '../campaigns/plan-cache';
import { Pace } from './pace';
import type { CalendarPlan } from '../dsl/plan';

export type { ForecastRow } from './settle';

/** Rows read per statement. */
const BATCH = 1000;
const DAY_MS = 86_400_000;

/**
 * How far before a window that starts after `now` the forecast starts its ideal clock: sends
 * due before the window still take cap slots in it, and a blackout or quiet hours move them into
 * it. At least this, or the longest cap window when that is longer.
 */
export const FORECAST_LEAD_DAYS = 14;

export interface ForecastOptions {
  /** Counts the work done and yields to the event loop now and then (./pace.ts); stops when aborted. */
  pace?: Pace;
  /**
   * Forecast as if `apply` had stored this project (`almanac plan --forecast`, ./plan-forecast.ts):
   * its calendar and campaigns take the place of the applied ones. Runs already in flight stay on
   * their versions (a removed campaign's runs finish on theirs), except that a `migrate: true`
   * change moves them to the new plan by step key first, as apply would (a run whose step is
   * gone exits and sends nothing more).
   */
  candidate?: CandidateProject;
  /** The zone whose days the rows are dated in (default: the calendar's). */
  dayZone?: string;
}

/** A project as `apply` would leave it: the calendar, and each campaign with what apply keeps of it. */
export interface CandidateProject {
  calendar: CalendarPlan;
  campaigns: CandidateCampaign[];
}

export interface CandidateCampaign {
  plan: CampaignPlan;
  /**
   * The stored version apply keeps for this campaign (its file is unchanged). Absent: apply
   * stores a new version now, so a broadcast never fanned out counts its occurrences from `now`.
   */
  keptVersionId?: number;
  /** Apply moves the campaign's running runs to `plan` by step key (`migrate: true` on a change). */
  migrates: boolean;
}

type Broadcast = { plan: CampaignPlan & { trigger: BroadcastTrigger }; since: Date };

/**
 * The sends the engine will make in [range.from, range.to), per calendar-zone day, campaign and
 * source, as seen at `now` (days before `now` get nothing: those sends are history). Read-only,
 * in one read-only snapshot. How each part is predicted (./README.md):
 *
 * - in-flight runs are walked forward through their plan (`predictRunSends`), with their
 *   contact's current facts; sends already queued or deferred go at their `not_before`;
 * - broadcasts expand every occurrence not fanned out yet over today's audience (audience,
 *   consent and an address, in SQL): per contact for contacts that have other sends to compete
 *   with, and as one grouped count per (zone, set of broadcasts) for everyone else;
 * - future entries of triggered campaigns repeat the last 14 days' entries per hour of the day
 *   and entrant zone, less the campaign's holdout share, each along the plan's default path
 *   (`predictEntrySends`);
 * - then every contact's sends go through the dispatcher's own rules (`settleContact`: blackout,
 *   quiet hours in the contact's zone, frequency caps with priority against the sends it already
 *   had) and are counted on the day they go out.
 *
 * The work follows the window, not its distance from `now`: the ideal clock starts at `now`, or
 * for a window further ahead FORECAST_LEAD_DAYS (or the longest cap window) before it, with no
 * backlog carried over from the days in between (in-flight runs and pending sends still count;
 * broadcast occurrences and entries between `now` and that start are not expanded).
 * The reads take one snapshot; the settling runs after it, paced (`options.pace`).
 */
export async function forecast(
  database: Database,
  range: { from: Date; to: Date },
  now: Date,
  options: ForecastOptions = {},
): Promise<ForecastRow[]> {
  if (!(range.to > range.from) || range.to <= now) return [];
  const horizon = range.to;
  const pace = options.pace ?? new Pace();
  const { calendar, everyone } = await database.db.transaction(
    async (tx) => {
      const { candidate } = options;
      const calendar = candidate?.calendar ?? (await latestCalendarPlan(tx)) ?? emptyCalendar();
      const start = clockStart(calendar, range.from, now);
      const plans = createPlanCache();
      const active: Array<{ versionId?: number | undefined; plan: CampaignPlan }> = candidate
        ? candidate.campaigns.map((c) => ({ versionId: c.keptVersionId, plan: c.plan }))
        : await plans.active(tx);
      const migrating = new Map((candidate?.campaigns ?? []).filter((c) => c.migrates).map((c) => [c.plan.id, c.plan]));
      const broadcasts: Broadcast[] = [];
      for (const { versionId, plan } of active) {
        if (!isBroadcast(plan)) continue;
        const mark = (await readWatermark(tx, plan.id)) ?? (versionId === undefined ? now : await versionCreatedAt(tx, versionId));
        const floor = start > now ? new Date(start.getTime() - 1) : new Date(now.getTime() - BROADCAST_CATCH_UP_MS);
        broadcasts.push({ plan, since: mark > floor ? mark : floor });
      }
      const contacts = new Map<number, ForecastContact>();
      const contactOf = (id: number): ForecastContact => {
        let c = contacts.get(id);
        if (!c) contacts.set(id, (c = { zone: null, weight: 1, candidates: [], recent: [] }));
        return c;
      };

      // In-flight runs, walked forward with their contacts' facts.
      for (let after = 0; ;) {
        const runs = await readActiveRuns(tx, after, horizon, BATCH);
        if (runs.length === 0) break;
        after = runs[runs.length - 1]!.id;
        const versions = await plans.byIds(
          tx,
          runs.map((r) => r.versionId),
        );
        const facts = await loadFacts(tx, [...new Set(runs.map((r) => r.contactId))], { now });
        for (const run of runs) {
          await pace.step();
          const stored = versions.get(run.versionId);
          const f = facts.get(run.contactId);
          if (!stored || !f) continue;
          const moved = movedRun(stored, run.state as RunState, migrating.get(stored.id));
          if (!moved || !eligible(moved.plan, f)) continue;
          const { plan, state } = moved;
          const source = isBroadcast(plan) ? 'broadcast' : 'journey';
          const c = contactOf(run.contactId);
          const sends = predictRunSends({ plan, state, wakeAt: run.wakeAt, facts: f, now, until: horizon });
          c.candidates.push(
            ...chainRun(
              sends.map((s) => ({
                ...candidateOf(plan, source, s.due, s.weight),
                ...(s.visibleFrom ? { visibleFrom: s.visibleFrom } : {}),
              })),
              c.candidates.length,
            ),
          );
        }
      }

      // Sends already queued or held by the gate.
      for (let after = 0; ;) {
        const pending = await readPendingSends(tx, after, horizon, BATCH);
        if (pending.length === 0) break;
        after = pending[pending.length - 1]!.id;
        await pace.step(pending.length);
        const versions = await plans.byIds(
          tx,
          pending.map((s) => s.versionId),
        );
        for (const s of pending) {
          const plan = versions.get(s.versionId);
          const source = plan && isBroadcast(plan) ? 'broadcast' : 'journey';
          const due = s.notBefore < now ? now : s.notBefore;
          const candidate = {
            ...candidateOf({ id: s.campaign, purpose: s.purpose, priority: s.priority }, source, due, 1),
            held: s.status === 'deferred',
          };
          contactOf(s.contactId).candidates.push(candidate);
        }
      }

      // What caps already count: sends approved within the longest cap window.
      const longest = Math.max(0, ...calendar.frequencyCaps.map((c) => c.perMs));
      if (longest > 0) {
        for (const r of await readApprovedSince(tx, new Date(now.getTime() - longest), now)) {
          contactOf(r.contactId).recent.push({ at: r.at, purpose: r.purpose });
        }
      }

      // Broadcasts: those contacts one by one, everyone else by group.
      const membership = broadcasts.map((b) => recipientsSql(recipientConditions(b.plan, now)));
      const groups = broadcasts.length ? await countAudienceGroups(tx, membership, calendar.timezone) : new Map<string, number>();
      // The same (broadcast, zone) expands once: contacts share the instants, not the objects.
      const expanded = new Map<string, ReturnType<typeof broadcastCandidates>>();
      const candidatesFor = (k: number, zone: string, weight: number) => {
        const key = `${k}\u0000${zone}`;
        let list = expanded.get(key);
        if (!list) {
          const b = broadcasts[k]!;
          list = broadcastCandidates(b.plan, zone, { since: b.since, now, horizon, weight: 1, meter: pace.meter });
          expanded.set(key, list);
        }
        return list.map((c) => ({ ...c, weight }));
      };
      const ids = [...contacts.keys()];
      for (let i = 0; i < ids.length; i += BATCH) {
        for (const row of await readMembership(tx, ids.slice(i, i + BATCH), membership, calendar.timezone)) {
          await pace.step();
          const c = contactOf(row.id);
          c.zone = row.timezone;
          const key = groupKey(row.zone, row.bits);
          if (groups.has(key)) groups.set(key, groups.get(key)! - 1);
          row.bits.forEach((member, k) => {
            const b = broadcasts[k]!;
            if (!member || isHeldOut(b.plan, drawKey({ id: row.id, external_id: row.externalId, email: row.email }))) return;
            const zone = zoneOrFallback(row.zone, calendar.timezone).zone;
            c.candidates.push(...candidatesFor(k, zone, 1));
          });
        }
      }
      const grouped: ForecastContact[] = [];
      for (const [key, count] of groups) {
        if (count <= 0) continue;
        await pace.step();
        const [rawZone, bits] = key.split('\u0000') as [string, string];
        const zone = zoneOrFallback(rawZone, calendar.timezone).zone;
        const candidates = broadcasts.flatMap((b, k) => (bits[k] === '1' ? candidatesFor(k, zone, 1 - b.plan.holdoutPercent / 100) : []));
        grouped.push({ zone: rawZone, weight: count, candidates, recent: [] });
      }

      // Future entries of triggered campaigns, at their recent rate.
      const rates = await readEntryHours(tx, new Date(now.getTime() - RATE_WINDOW_DAYS * DAY_MS), now);
      const firstApplied = await readFirstApplied(tx);
      const entries: ForecastContact[] = [];
      for (const { plan } of active) {
        if (isBroadcast(plan) || !rates.has(plan.id)) continue;
        const observed = (now.getTime() - (firstApplied.get(plan.id)?.getTime() ?? now.getTime())) / DAY_MS;
        for (const slot of entrySlots(rates.get(plan.id)!, observed, now, horizon, start)) {
          await pace.step();
          const share = 1 - plan.holdoutPercent / 100; // the nominal holdout, steadier than the few draws seen
          const predicted = predictEntrySends(plan, slot.at, horizon);
          const sends = predicted.map((s) => candidateOf(plan, 'journey', s.due, s.weight * share));
          // One path (no split forking it into weighted arms): its sends follow each other.
          const candidates = predicted.every((s) => s.weight === predicted[0]!.weight) ? chainRun(sends, 0) : sends;
          if (candidates.length) entries.push({ zone: slot.zone, weight: slot.weight, candidates, recent: [] });
        }
      }

      return { calendar, everyone: [...contacts.values(), ...grouped, ...entries] };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );

  // Settling is pure CPU: outside the snapshot (the embedded database serves others meanwhile), paced.
  const isBlackout = blackoutDays(calendar);
  const settled: ReturnType<typeof settleContact> = [];
  for (const c of everyone) {
    if (!c.candidates.length) continue;
    await pace.step(c.candidates.length);
    for (const send of settleContact(c, calendar, horizon, isBlackout)) settled.push(send);
  }
  return tallyForecast(settled, options.dayZone ?? calendar.timezone, range);
}

/** A run on its stored plan, or moved to `next` by step key as a `migrate: true` apply would; undefined when it would exit. */
function movedRun(
  plan: CampaignPlan,
  state: RunState,
  next: CampaignPlan | undefined,
): { plan: CampaignPlan; state: RunState } | undefined {
  if (!next) return { plan, state };
  const moved = migrateState(plan, next, state);
  return 'exit' in moved ? undefined : { plan: next, state: moved.state };
}

/** Where the ideal clock starts: `now`, or a lead before a window further ahead (FORECAST_LEAD_DAYS). */
function clockStart(calendar: CalendarPlan, from: Date, now: Date): Date {
  const longest = Math.max(0, ...calendar.frequencyCaps.map((c) => c.perMs));
  const lead = Math.max(FORECAST_LEAD_DAYS * DAY_MS, longest);
  return new Date(Math.max(now.getTime(), from.getTime() - lead));
}

/** The gate would suppress or fail it anyway: no address, or no consent for a marketing purpose. */
function eligible(plan: CampaignPlan, facts: Facts): boolean {
  if (!facts.contact.email) return false;
  return plan.purpose === 'email.transactional' || facts.consent[plan.purpose] === true;
}

/** Who a broadcast reaches, as SQL over contacts `c`: its audience and, unless transactional, consent for its purpose. */
export function recipientConditions(plan: CampaignPlan, now: Date) {
  return [
    ...(plan.audience ? [toSql(plan.audience, { now })] : []),
    ...(plan.purpose === 'email.transactional' ? [] : [toSql({ kind: 'consent', purpose: plan.purpose }, { now })]),
  ];
}
