import { expandTrigger, type BroadcastTrigger } from '../calendar/occurrences';
import { instantToLocal, zoneOrFallback } from '../calendar/zone';
import type { CalendarPlan, CampaignPlan } from '../dsl/plan';
import { drawKey, initialState, isHeldOut } from '../journey/index';
import {
  contactIdBounds,
  distinctContactZones,
  fanOutRuns,
  markHoldout,
  readWatermark,
  versionCreatedAt,
  writeWatermark,
} from '../storage/broadcasts';
import { latestCalendarPlan } from '../storage/campaign-versions';
import type { Tx } from '../storage/db';
import type { PhaseDeps } from './events-phase';
import type { TickPhase } from './tick';

/** Contacts per fan-out statement. */
const ID_SPAN = 50_000;
/** An occurrence missed for longer than this (the engine was down) is skipped, not sent late. */
export const BROADCAST_CATCH_UP_MS = 6 * 3_600_000;

const isBroadcast = (plan: CampaignPlan): plan is CampaignPlan & { trigger: BroadcastTrigger } =>
  plan.trigger.kind === 'schedule' || plan.trigger.kind === 'at';

/**
 * The zones to expand a broadcast in, each with the raw stored zones of the contacts it covers:
 * a contact with no zone, or one that is not a valid IANA zone, gets the calendar's.
 */
export async function zoneGroups(tx: Tx, plan: CampaignPlan & { trigger: BroadcastTrigger }, calendarZone: string) {
  if (plan.trigger.timezone !== 'contact') return new Map([[plan.trigger.timezone, undefined as string[] | undefined]]);
  const groups = new Map<string, string[] | undefined>();
  for (const raw of await distinctContactZones(tx, calendarZone)) {
    const { zone } = zoneOrFallback(raw, calendarZone);
    groups.set(zone, [...(groups.get(zone) ?? []), raw]);
  }
  return groups;
}

export async function readCalendar(tx: Tx): Promise<CalendarPlan | null> {
  return (await latestCalendarPlan(tx)) as CalendarPlan | null;
}

/**
 * Tick phase `broadcasts`: every `schedule` / `at` campaign whose occurrences fell due since its
 * watermark (at most BROADCAST_CATCH_UP_MS back; older ones are counted as missed) starts a run
 * for each contact in its audience — in the contact's own zone for `timezone: contact` (10:00
 * in Warsaw and 10:00 in New York are different instants). Runs are created by id range, one
 * statement per 50 000 contacts, ready to step at the occurrence; the runs phase sends. The
 * entry key is the occurrence's local time, so a repeated pass (or two workers) starts nothing
 * twice and a contact who moves zone does not get the same Tuesday twice. Each campaign's fan-out
 * and its watermark commit together.
 */
export function createBroadcastsPhase(deps: PhaseDeps): TickPhase {
  const { database, plans, metrics } = deps;
  return {
    name: 'broadcasts',
    async run(now) {
      const campaigns = (await database.db.transaction((tx) => plans.active(tx))).filter((c) => isBroadcast(c.plan));
      let started = 0;
      for (const { versionId, plan } of campaigns) {
        if (!isBroadcast(plan)) continue;
        started += await database.db.transaction(async (tx) => {
          const calendarZone = (await readCalendar(tx))?.timezone ?? 'UTC';
          const since = (await readWatermark(tx, plan.id)) ?? (await versionCreatedAt(tx, versionId));
          if (since >= now) return 0;
          const floor = new Date(now.getTime() - BROADCAST_CATCH_UP_MS);
          const from = since > floor ? since : floor;
          const bounds = await contactIdBounds(tx);
          // Zones reaching the same local occurrence in this window (Berlin, Paris and Rome at
          // 10:00) share one scan of each id range: one statement per range, not per zone.
          const due = new Map<string, { raw: string[] | undefined; first: Date }>();
          for (const [zone, raw] of await zoneGroups(tx, plan, calendarZone)) {
            const missed = since < floor ? expandTrigger(plan.trigger, { from: new Date(since.getTime() + 1), to: new Date(floor.getTime() + 1) }, zone) : [];
            metrics.inc('almanac_broadcast_occurrences_missed_total', 'Broadcast occurrences skipped because the engine was down too long', { campaign: plan.id }, missed.length);
            for (const instant of expandTrigger(plan.trigger, { from: new Date(from.getTime() + 1), to: new Date(now.getTime() + 1) }, zone)) {
              const local = instantToLocal(instant, zone);
              const key = `${local.date}T${local.time}`;
              const entry = due.get(key);
              if (!entry) due.set(key, { raw: raw ? [...raw] : undefined, first: instant });
              else {
                if (entry.raw && raw) entry.raw.push(...raw);
                if (instant < entry.first) entry.first = instant;
              }
            }
          }
          let n = 0;
          for (const [occurrence, { raw, first }] of due) {
            const zone = plan.trigger.timezone === 'contact' ? 'contact' : plan.trigger.timezone;
            const state = initialState(plan, { type: 'broadcast', occurredAt: first, properties: { occurrence, zone } }, undefined);
            for (let lo = (bounds?.min ?? 1) - 1; bounds && lo < bounds.max; lo += ID_SPAN) {
              const created = await fanOutRuns(tx, {
                versionId,
                campaign: plan.id,
                audience: plan.audience,
                ...(raw ? { zones: { raw, calendarZone } } : {}),
                entryKey: `occurrence:${occurrence}`,
                state,
                wakeAt: first,
                now,
                fromId: lo,
                toId: lo + ID_SPAN,
              });
              if (plan.holdoutPercent > 0) {
                await markHoldout(tx, created.filter((r) => isHeldOut(plan, drawKey({ id: r.contactId, external_id: r.externalId, email: r.email }))).map((r) => r.runId), now);
              }
              n += created.length;
            }
          }
          await writeWatermark(tx, plan.id, now);
          metrics.inc('almanac_runs_started_total', 'Journey runs started', {}, n);
          return n;
        });
      }
      return started;
    },
  };
}

/** The next broadcast occurrence after `now` (up to `until`), for simulate's virtual clock. */
export async function nextBroadcastAt(tx: Tx, campaigns: CampaignPlan[], now: Date, until: Date): Promise<Date | null> {
  const calendarZone = (await readCalendar(tx))?.timezone ?? 'UTC';
  let next: number | null = null;
  for (const plan of campaigns) {
    if (!isBroadcast(plan)) continue;
    for (const zone of (await zoneGroups(tx, plan, calendarZone)).keys()) {
      const [first] = expandTrigger(plan.trigger, { from: new Date(now.getTime() + 1), to: new Date(until.getTime() + 1) }, zone);
      if (first && (next === null || first.getTime() < next)) next = first.getTime();
    }
  }
  return next === null ? null : new Date(next);
}
