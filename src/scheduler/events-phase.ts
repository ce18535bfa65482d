import type { Facts } from '../dsl/condition';
import type { CampaignPlan } from '../dsl/plan';
import { correlationKeyOf, decideEntry, eventReachesRun, factsForRun, triggeredBy } from '../journey/entry';
import { initialState, step } from '../journey/index';
import type { Metrics } from '../metrics';
import type { Database } from '../storage/db';
import { type ClaimedEvent, claimUnprocessedEvents, insertTriggerSkips } from '../storage/event-claims';
import { loadFacts } from '../storage/facts';
import { markEventsProcessed } from '../storage/journey-writes';
import { lastEntries, lockActiveRunsOf } from '../storage/runs';
import type { PlanCache } from '../campaigns/plan-cache';
import { createRunWrites, handleOf, type RunHandle } from './run-writes';
import { batchedPhase, type TickPhase } from './tick';

export interface PhaseDeps {
  database: Database;
  plans: PlanCache;
  metrics: Metrics;
  batchSize: number;
  /** Batches per tick at most, so one tick cannot run forever under a flood. */
  maxBatches?: number;
  onRunError?: (runId: number | undefined, err: unknown) => void;
}

/**
 * Tick phase `events`: turn stored events into journey work, a batch per transaction. Each
 * event, in arrival order, is first delivered to the contact's active runs (matching correlation
 * key), which may resume a `wait_until` or fire `exit_on`, and then starts a run of every active
 * campaign it triggers whose audience, re-entry and correlation rules admit the contact. Runs,
 * sends and the events' processed mark commit together.
 *
 * Facts are read once per batch; they include every stored event up to `now`, so an entry
 * decision may already see an event that arrives later in the same batch.
 */
export function createEventsPhase(deps: PhaseDeps): TickPhase {
  const { database, plans, metrics } = deps;
  const runBatch = (now: Date) =>
    database.db.transaction(async (tx) => {
      const claimed = await claimUnprocessedEvents(tx, { limit: deps.batchSize, now });
      if (claimed.length === 0) return 0;
      const contactIds = [...new Set(claimed.flatMap((e) => (e.contactId === null ? [] : [e.contactId])))];
      const campaigns = (await plans.active(tx)).filter((c) => c.plan.trigger.kind === 'event');
      const facts = await loadFacts(tx, contactIds, { now });
      const existing = await lockActiveRunsOf(tx, contactIds);
      const runPlans = await plans.byIds(
        tx,
        existing.map((r) => r.versionId),
      );
      const lastStart = new Map((await lastEntries(tx, contactIds)).map((e) => [`${e.contactId}:${e.campaign}`, e.lastStartedAt]));
      const writes = createRunWrites(now);
      const skips: Parameters<typeof insertTriggerSkips>[1] = [];
      const active = new Map<number, RunHandle[]>();
      const track = (h: RunHandle) => active.set(h.contactId, [...(active.get(h.contactId) ?? []), h]);
      for (const r of existing) {
        const plan = runPlans.get(r.versionId);
        const state = r.state as RunHandle['state'];
        if (!plan) writes.failUnsteppable({ id: r.id, state }, `plan_missing:version ${r.versionId}`);
        else track(handleOf(r, plan));
      }
      for (const event of claimed) {
        if (event.contactId === null) continue;
        const f: Facts | undefined = facts.get(event.contactId);
        if (!f) continue;
        for (const run of active.get(event.contactId) ?? []) {
          if (run.status !== 'active') continue;
          if (!eventReachesRun(run.plan, run, event)) continue;
          try {
            writes.step(run, step(run.plan, run.state, { kind: 'event', event, facts: factsForRun(f, run.id) }, now), f);
          } catch (err) {
            writes.fail(run, `error:${(err as Error).message}`);
            deps.onRunError?.(run.id, err);
          }
        }
        for (const { versionId, plan } of campaigns) {
          if (!triggeredBy(plan, event, f, now)) continue;
          const stale = staleBy(plan, event);
          if (stale !== undefined) {
            skips.push({ campaign: plan.id, contactId: event.contactId, eventId: event.id, reason: stale });
            metrics.inc('almanac_entries_total', 'Trigger decisions by outcome', { campaign: plan.id, outcome: 'stale_event' });
            continue;
          }
          const correlationKey = correlationKeyOf(plan, event.properties);
          const mine = (active.get(event.contactId) ?? []).filter((r) => r.plan.id === plan.id && r.status === 'active');
          const history = {
            lastStartedAt: lastStart.get(`${event.contactId}:${plan.id}`),
            activeKeys: new Set(mine.map((r) => r.correlationKey)),
          };
          const decision = decideEntry(plan, f, event.properties, correlationKey, history, now);
          metrics.inc('almanac_entries_total', 'Trigger decisions by outcome', {
            campaign: plan.id,
            outcome: decision.start ? (decision.holdout ? 'holdout' : 'started') : decision.reason,
          });
          if (!decision.start) {
            // Said in simulate's timeline and kept with the contact: why this event started nothing.
            if (decision.reason !== 'no_contact')
              skips.push({ campaign: plan.id, contactId: event.contactId, eventId: event.id, reason: decision.reason });
            continue;
          }
          const state = initialState(plan, event, correlationKey ?? undefined);
          const handle: RunHandle = {
            versionId,
            plan,
            contactId: event.contactId,
            correlationKey,
            state,
            status: decision.holdout ? 'holdout' : 'active',
          };
          lastStart.set(`${event.contactId}:${plan.id}`, now);
          if (decision.holdout) {
            writes.start(handle, event.dedupeKey, undefined, f, 'holdout');
            continue;
          }
          try {
            // The journey's clock starts when the event happened: `wait: 1h` after a 10:00 checkout
            // wakes at 11:00 however late the event arrived (at once if 11:00 has passed).
            const startedAt = new Date(Math.min(now.getTime(), event.occurredAt.getTime()));
            writes.start(handle, event.dedupeKey, step(plan, state, { kind: 'start', facts: f }, startedAt), f);
            track(handle);
          } catch (err) {
            handle.status = 'failed';
            writes.start(handle, event.dedupeKey, undefined, f, `error:${(err as Error).message}`);
            deps.onRunError?.(undefined, err);
          }
        }
      }
      const written = await writes.flush(tx);
      await insertTriggerSkips(tx, skips, now);
      await markEventsProcessed(
        tx,
        claimed.map((e) => e.id),
        now,
      );
      metrics.inc('almanac_runs_started_total', 'Journey runs started', {}, written.runsStarted);
      metrics.inc('almanac_sends_queued_total', 'Sends queued by journey steps', {}, written.sendsQueued);
      return claimed.length;
    });
  return batchedPhase('events', deps, runBatch);
}

/**
 * Why `event` is too old to start `plan` (undefined: it is not): it arrived more than the
 * trigger's `within` (default 24h) after it happened — a backfill, a late webhook retry, an
 * import. A three-week-old cart gets no "you left something in your cart" mail.
 */
function staleBy(plan: CampaignPlan, event: ClaimedEvent): string | undefined {
  if (plan.trigger.kind !== 'event' || plan.trigger.withinMs === null) return undefined;
  const age = event.receivedAt.getTime() - event.occurredAt.getTime();
  if (age <= plan.trigger.withinMs) return undefined;
  return `stale event: arrived ${roughly(age)} after it happened (trigger within ${roughly(plan.trigger.withinMs)})`;
}

/** `21d`, `3h`, `45m`, `12s`: the largest unit, rounded down. */
function roughly(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const)
    if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return `${Math.floor(ms / 1000)}s`;
}
