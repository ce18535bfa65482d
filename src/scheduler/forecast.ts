import { type SQL, sql } from 'drizzle-orm';
import { blackoutDays } from '../calendar/blackout';
import { broadcastCandidates, candidateOf, type EntryHour, entrySlots, RATE_WINDOW_DAYS } from '../calendar/forecast-candidates';
import { EMPTY_CALENDAR, type ForecastContact, type ForecastRow, settleContact, tallyForecast } from '../calendar/forecast-settle';
import { predictEntrySends, predictRunSends } from '../calendar/journey-forecast';
import type { BroadcastTrigger } from '../calendar/occurrences';
import { zoneOrFallback } from '../calendar/zone';
import type { Facts } from '../dsl/condition';
import { toSql } from '../dsl/conditions/sql';
import type { CampaignPlan } from '../dsl/plan';
import { drawKey, isHeldOut, type RunState } from '../journey/index';
import { readWatermark, versionCreatedAt } from '../storage/broadcasts';
import type { Database, Tx } from '../storage/db';
import { loadFacts } from '../storage/facts';
import { rowsOf } from '../storage/migrate';
import { idArray, ts } from '../storage/sql-values';
import { BROADCAST_CATCH_UP_MS, readCalendar } from './broadcasts-phase';
import { createPlanCache } from './plans';

export type { ForecastRow } from '../calendar/forecast-settle';

/** Rows read per statement. */
const BATCH = 1000;
const DAY_MS = 86_400_000;

type Broadcast = { versionId: number; plan: CampaignPlan & { trigger: BroadcastTrigger }; since: Date };

const isBroadcast = (plan: CampaignPlan): plan is CampaignPlan & { trigger: BroadcastTrigger } =>
  plan.trigger.kind === 'schedule' || plan.trigger.kind === 'at';

/**
 * The sends the engine will make in [range.from, range.to), per calendar-zone day, campaign and
 * source, as seen at `now` (days before `now` get nothing: those sends are history). Read-only,
 * in one read-only snapshot. How each part is predicted (src/calendar/README-forecast.md):
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
 */
export async function forecast(database: Database, range: { from: Date; to: Date }, now: Date): Promise<ForecastRow[]> {
  if (!(range.to > range.from) || range.to <= now) return [];
  const horizon = range.to;
  return database.db.transaction(
    async (tx) => {
      const calendar = (await readCalendar(tx)) ?? EMPTY_CALENDAR;
      const plans = createPlanCache();
      const active = await plans.active(tx);
      const broadcasts: Broadcast[] = [];
      for (const { versionId, plan } of active) {
        if (!isBroadcast(plan)) continue;
        const mark = (await readWatermark(tx, plan.id)) ?? (await versionCreatedAt(tx, versionId));
        const floor = new Date(now.getTime() - BROADCAST_CATCH_UP_MS);
        broadcasts.push({ versionId, plan, since: mark > floor ? mark : floor });
      }
      const contacts = new Map<number, ForecastContact>();
      const contactOf = (id: number): ForecastContact => {
        let c = contacts.get(id);
        if (!c) contacts.set(id, (c = { zone: null, weight: 1, candidates: [], recent: [] }));
        return c;
      };

      // In-flight runs, walked forward with their contacts' facts.
      for (let after = 0; ; ) {
        const runs = await readActiveRuns(tx, after, horizon);
        if (runs.length === 0) break;
        after = runs[runs.length - 1]!.id;
        const versions = await plans.byIds(tx, runs.map((r) => r.versionId));
        const facts = await loadFacts(tx, [...new Set(runs.map((r) => r.contactId))], { now });
        for (const run of runs) {
          const plan = versions.get(run.versionId);
          const f = facts.get(run.contactId);
          if (!plan || !f || !eligible(plan, f)) continue;
          const source = isBroadcast(plan) ? 'broadcast' : 'journey';
          const c = contactOf(run.contactId);
          for (const s of predictRunSends({ plan, state: run.state, wakeAt: run.wakeAt, facts: f, now, until: horizon })) {
            c.candidates.push(candidateOf(plan, source, s.due, s.weight));
          }
        }
      }

      // Sends already queued or held by the gate.
      for (let after = 0; ; ) {
        const pending = await readPendingSends(tx, after, horizon);
        if (pending.length === 0) break;
        after = pending[pending.length - 1]!.id;
        const versions = await plans.byIds(tx, pending.map((s) => s.versionId));
        for (const s of pending) {
          const plan = versions.get(s.versionId);
          const source = plan && isBroadcast(plan) ? 'broadcast' : 'journey';
          const due = s.notBefore < now ? now : s.notBefore;
          const candidate = { ...candidateOf({ id: s.campaign, purpose: s.purpose, priority: s.priority }, source, due, 1), held: s.status === 'deferred' };
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
      const membership = broadcasts.map((b) => audienceSql(b.plan, now));
      const groups = broadcasts.length ? await countAudienceGroups(tx, membership, calendar.timezone) : new Map<string, number>();
      const ids = [...contacts.keys()];
      for (let i = 0; i < ids.length; i += BATCH) {
        for (const row of await readMembership(tx, ids.slice(i, i + BATCH), membership, calendar.timezone)) {
          const c = contactOf(row.id);
          c.zone = row.timezone;
          const key = groupKey(row.zone, row.bits);
          if (groups.has(key)) groups.set(key, groups.get(key)! - 1);
          row.bits.forEach((member, k) => {
            const b = broadcasts[k]!;
            if (!member || isHeldOut(b.plan, drawKey({ id: row.id, external_id: row.externalId, email: row.email }))) return;
            const zone = zoneOrFallback(row.zone, calendar.timezone).zone;
            c.candidates.push(...broadcastCandidates(b.plan, zone, { since: b.since, now, horizon, weight: 1 }));
          });
        }
      }
      const grouped: ForecastContact[] = [];
      for (const [key, count] of groups) {
        if (count <= 0) continue;
        const [rawZone, bits] = key.split('\u0000') as [string, string];
        const zone = zoneOrFallback(rawZone, calendar.timezone).zone;
        const candidates = broadcasts.flatMap((b, k) =>
          bits[k] === '1' ? broadcastCandidates(b.plan, zone, { since: b.since, now, horizon, weight: 1 - b.plan.holdoutPercent / 100 }) : [],
        );
        grouped.push({ zone: rawZone, weight: count, candidates, recent: [] });
      }

      // Future entries of triggered campaigns, at their recent rate.
      const rates = await readEntryHours(tx, new Date(now.getTime() - RATE_WINDOW_DAYS * DAY_MS), now);
      const firstApplied = await readFirstApplied(tx);
      const entries: ForecastContact[] = [];
      for (const { plan } of active) {
        if (isBroadcast(plan) || !rates.has(plan.id)) continue;
        const observed = (now.getTime() - (firstApplied.get(plan.id)?.getTime() ?? now.getTime())) / DAY_MS;
        for (const slot of entrySlots(rates.get(plan.id)!, observed, now, horizon)) {
          const share = 1 - plan.holdoutPercent / 100; // the nominal holdout, steadier than the few draws seen
          const candidates = predictEntrySends(plan, slot.at, horizon).map((s) => candidateOf(plan, 'journey', s.due, s.weight * share));
          if (candidates.length) entries.push({ zone: slot.zone, weight: slot.weight, candidates, recent: [] });
        }
      }

      const isBlackout = blackoutDays(calendar);
      const settled = [...contacts.values(), ...grouped, ...entries].flatMap((c) => (c.candidates.length ? settleContact(c, calendar, horizon, isBlackout) : []));
      return tallyForecast(settled, calendar.timezone, range);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** The gate would suppress or fail it anyway: no address, or no consent for a marketing purpose. */
function eligible(plan: CampaignPlan, facts: Facts): boolean {
  if (!facts.contact.email) return false;
  return plan.purpose === 'email.transactional' || facts.consent[plan.purpose] === true;
}

/** A broadcast's recipients as a boolean over contacts `c`: its audience, an address, consent for its purpose. */
function audienceSql(plan: CampaignPlan, now: Date): SQL {
  const parts = [sql`c.email is not null`];
  if (plan.audience) parts.push(toSql(plan.audience, { now }));
  if (plan.purpose !== 'email.transactional') parts.push(toSql({ kind: 'consent', purpose: plan.purpose }, { now }));
  return sql`(${sql.join(parts, sql` and `)})`;
}

const groupKey = (zone: string, bits: boolean[]) => `${zone}\u0000${bits.map((b) => (b ? '1' : '0')).join('')}`;
const bitColumns = (membership: SQL[]) => sql.join(membership.map((m, k) => sql`${m} as ${sql.raw(`b${k}`)}`), sql`, `);
const bitsOf = (row: Record<string, unknown>, n: number) => Array.from({ length: n }, (_, k) => row[`b${k}`] === true);

async function readActiveRuns(tx: Tx, afterId: number, horizon: Date) {
  const rows = rowsOf<{ id: string | number; campaign_version_id: string | number; contact_id: string | number; state: RunState; next_wake_at: string | Date | null }>(
    await tx.execute(sql`
      select id, campaign_version_id, contact_id, state, next_wake_at from runs
      where status = 'active' and id > ${afterId} and (next_wake_at is null or next_wake_at < ${ts(horizon)})
      order by id limit ${BATCH}`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    versionId: Number(r.campaign_version_id),
    contactId: Number(r.contact_id),
    state: r.state,
    wakeAt: r.next_wake_at === null ? null : new Date(r.next_wake_at),
  }));
}

async function readPendingSends(tx: Tx, afterId: number, horizon: Date) {
  const rows = rowsOf<{ id: string | number; campaign: string; campaign_version_id: string | number; contact_id: string | number; purpose: string; priority: number; not_before: string | Date; status: string }>(
    await tx.execute(sql`
      select id, campaign, campaign_version_id, contact_id, purpose, priority, not_before, status from sends
      where status in ('queued', 'deferred') and not_before < ${ts(horizon)} and id > ${afterId}
      order by id limit ${BATCH}`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    campaign: r.campaign,
    versionId: Number(r.campaign_version_id),
    contactId: Number(r.contact_id),
    purpose: r.purpose,
    priority: Number(r.priority),
    notBefore: new Date(r.not_before),
    status: r.status,
  }));
}

/** Sends frequency caps count (as the dispatcher's `approvedSendsSince`), for every contact. */
async function readApprovedSince(tx: Tx, since: Date, now: Date) {
  const rows = rowsOf<{ contact_id: string | number; purpose: string; approved_at: string | Date }>(
    await tx.execute(sql`
      select contact_id, purpose, approved_at from sends
      where approved_at > ${ts(since)} and approved_at <= ${ts(now)} and status in ('sending', 'sent', 'unknown')`),
  );
  return rows.map((r) => ({ contactId: Number(r.contact_id), purpose: r.purpose, at: new Date(r.approved_at) }));
}

/** Live contacts per (zone as broadcasts-phase reads it, membership of each broadcast): one grouped count. */
async function countAudienceGroups(tx: Tx, membership: SQL[], calendarZone: string): Promise<Map<string, number>> {
  const groupBy = sql.raw(Array.from({ length: membership.length + 1 }, (_, k) => String(k + 1)).join(', '));
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select coalesce(c.timezone, ${calendarZone}) as zone, ${bitColumns(membership)}, count(*)::int as n
      from contacts c where c.erased_at is null group by ${groupBy}`),
  );
  return new Map(rows.map((r) => [groupKey(String(r.zone), bitsOf(r, membership.length)), Number(r.n)]));
}

/** These contacts' zones, draw keys and broadcast memberships (live contacts only). */
async function readMembership(tx: Tx, ids: number[], membership: SQL[], calendarZone: string) {
  const bits = membership.length ? sql`, ${bitColumns(membership)}` : sql``;
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select c.id, c.timezone, c.external_id, c.email, coalesce(c.timezone, ${calendarZone}) as zone ${bits}
      from contacts c where c.id = any(${idArray(ids)}) and c.erased_at is null`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    timezone: (r.timezone as string | null) ?? null,
    externalId: (r.external_id as string | null) ?? null,
    email: (r.email as string | null) ?? null,
    zone: String(r.zone),
    bits: bitsOf(r, membership.length),
  }));
}

/** Runs started (held out or not) since `since` per campaign, UTC hour of the day and contact zone, with their mean second past the hour. */
async function readEntryHours(tx: Tx, since: Date, now: Date): Promise<Map<string, EntryHour[]>> {
  const rows = rowsOf<{ campaign: string; hour: number; zone: string | null; n: number; s: number }>(
    await tx.execute(sql`
      select r.campaign, extract(hour from r.started_at at time zone 'UTC')::int as hour, c.timezone as zone, count(*)::int as n,
        avg(mod(extract(epoch from r.started_at)::numeric, 3600))::float8 as s
      from runs r join contacts c on c.id = r.contact_id
      where r.started_at > ${ts(since)} and r.started_at <= ${ts(now)}
      group by 1, 2, 3`),
  );
  const out = new Map<string, EntryHour[]>();
  for (const r of rows) {
    const hour: EntryHour = { hour: Number(r.hour), zone: r.zone, count: Number(r.n), meanSecond: Number(r.s) };
    out.set(r.campaign, [...(out.get(r.campaign) ?? []), hour]);
  }
  return out;
}

/** When each campaign's first version was applied: a newer campaign's rate is over fewer days. */
async function readFirstApplied(tx: Tx): Promise<Map<string, Date>> {
  const rows = rowsOf<{ campaign: string; first: string | Date }>(
    await tx.execute(sql`select campaign, min(created_at) as first from campaign_versions where kind = 'campaign' group by 1`),
  );
  return new Map(rows.map((r) => [r.campaign, new Date(r.first)]));
}
