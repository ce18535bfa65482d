import { BROADCAST_CATCH_UP_MS, type BroadcastTrigger, expandTrigger, isBroadcast } from '../calendar/occurrences';
import { instantToLocal, zoneOrFallback } from '../calendar/zone';
import type { CampaignPlan } from '../dsl/plan';
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
import { toSql } from '../storage/conditions/sql';
import type { Tx } from '../storage/db';
import { forEachLimited } from '../lib/pool';
import type { PhaseDeps } from './events-phase';
import type { TickPhase } from './tick';

/** Contacts per fan-out statement. */
const ID_SPAN = 50_000;
/** Fan-out statements in flight at once (each its own transaction and connection). */
const FANOUT_CONCURRENCY = 2;
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

/**
 * Tick phase `broadcasts`: every `schedule` / `at` campaign whose occurrences fell due since its
 * watermark (at most BROADCAST_CATCH_UP_MS back; older ones are counted as missed) starts a run
 * for each contact in its audience — in the contact's own zone for `timezone: contact` (10:00
 * in Warsaw and 10:00 in New York are different instants). Runs are created by id range, one
 * statement per 50 000 contacts (two at once), ready to step at the occurrence; the runs phase
 * sends. The entry key is the occurrence's local time, so a repeated pass (or two workers)
 * starts nothing twice and a contact who moves zone does not get the same Tuesday twice.
 * `idSpan`: contacts per statement (tests make it small to cross many ranges).
 */
export function createBroadcastsPhase(deps: PhaseDeps, options: { idSpan?: number } = {}): TickPhase {
  const span = options.idSpan ?? ID_SPAN;
  const { database, plans, metrics } = deps;
  return {
    name: 'broadcasts',
    async run(now) {
      const campaigns = (await database.db.transaction((tx) => plans.active(tx))).filter((c) => isBroadcast(c.plan));
      let started = 0;
      for (const { versionId, plan } of campaigns) {
        if (isBroadcast(plan)) started += await fanOutCampaign(versionId, plan, now);
      }
      return started;
    },
  };

  /**
   * One campaign: find the occurrences due since its watermark, then start their runs by id
   * range, FANOUT_CONCURRENCY ranges at once, each range in a transaction of its own (the
   * entry key makes every insert idempotent, so a crash half-way only redoes work); the
   * watermark moves once every range is done.
   */
  async function fanOutCampaign(versionId: number, plan: CampaignPlan & { trigger: BroadcastTrigger }, now: Date): Promise<number> {
    const work = await database.db.transaction(async (tx) => {
      const calendarZone = (await latestCalendarPlan(tx))?.timezone ?? 'UTC';
      const since = (await readWatermark(tx, plan.id)) ?? (await versionCreatedAt(tx, versionId));
      if (since >= now) return undefined;
      const floor = new Date(now.getTime() - BROADCAST_CATCH_UP_MS);
      const from = since > floor ? since : floor;
      // Zones reaching the same local occurrence in this window (Berlin, Paris and Rome at
      // 10:00) share one scan of each id range: one statement per range, not per zone.
      const due = new Map<string, { raw: string[] | undefined; first: Date }>();
      for (const [zone, raw] of await zoneGroups(tx, plan, calendarZone)) {
        const missed =
          since < floor
            ? expandTrigger(plan.trigger, { from: new Date(since.getTime() + 1), to: new Date(floor.getTime() + 1) }, zone)
            : [];
        metrics.inc(
          'almanac_broadcast_occurrences_missed_total',
          'Broadcast occurrences skipped because the engine was down too long',
          { campaign: plan.id },
          missed.length,
        );
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
      return { calendarZone, due, bounds: await contactIdBounds(tx) };
    });
    if (!work) return 0;
    const { calendarZone, due, bounds } = work;
    const ranges: Array<{ occurrence: string; raw: string[] | undefined; first: Date; lo: number }> = [];
    for (const [occurrence, { raw, first }] of due) {
      for (let lo = (bounds?.min ?? 1) - 1; bounds && lo < bounds.max; lo += span) ranges.push({ occurrence, raw, first, lo });
    }
    const zone = plan.trigger.timezone === 'contact' ? 'contact' : plan.trigger.timezone;
    let n = 0;
    await forEachLimited(ranges, FANOUT_CONCURRENCY, async ({ occurrence, raw, first, lo }) => {
      const state = initialState(plan, { type: 'broadcast', occurredAt: first, properties: { occurrence, zone } }, undefined);
      // Read `n` only after the await: two ranges run at once.
      const count = await database.db.transaction(async (tx) => {
        const created = await fanOutRuns(tx, {
          versionId,
          campaign: plan.id,
          audience: plan.audience ? toSql(plan.audience, { now }) : undefined,
          ...(raw ? { zones: { raw, calendarZone } } : {}),
          entryKey: `occurrence:${occurrence}`,
          state,
          wakeAt: first,
          now,
          fromId: lo,
          toId: lo + span,
        });
        if (plan.holdoutPercent > 0) {
          const held = created.filter((r) => isHeldOut(plan, drawKey({ id: r.contactId, external_id: r.externalId, email: r.email })));
          await markHoldout(
            tx,
            held.map((r) => r.runId),
            now,
          );
        }
        return created.length;
      });
      n += count;
    });
    await writeWatermark(database.db, plan.id, now);
    metrics.inc('almanac_runs_started_total', 'Journey runs started', {}, n);
    return n;
  }
}

/** The next broadcast occurrence after `now` (up to `until`), for simulate's virtual clock. */
export async function nextBroadcastAt(tx: Tx, campaigns: CampaignPlan[], now: Date, until: Date): Promise<Date | null> {
  const calendarZone = (await latestCalendarPlan(tx))?.timezone ?? 'UTC';
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
