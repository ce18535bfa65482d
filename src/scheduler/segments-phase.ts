import type { Condition } from '../dsl/condition';
import { decideEntry } from '../journey/entry';
import { initialState, step } from '../journey/index';
import { loadFacts } from '../storage/facts';
import { lastEntries, lockActiveRunsOf } from '../storage/runs';
import { toSql } from '../storage/conditions/sql';
import { enterSegment, leaveSegment, type PassScope } from '../storage/segments';
import type { PhaseDeps } from './events-phase';
import { createRunWrites, type RunHandle } from './run-writes';
import type { TickPhase } from './tick';

/**
 * Tick phase `segments`: keeps `segment_memberships` of every segment a campaign triggers on
 * (`segment: { enters | leaves }`) in step with its condition, evaluated in SQL, and starts runs
 * for contacts who entered or left. Every `fullPassMs` the whole segment is re-evaluated (time
 * alone moves people, e.g. "no order in 90 days"); every other tick only contacts with events
 * processed since the last pass. Memberships and runs commit together, and a membership row is
 * inserted once, so two workers never start the same entry twice. On the very first pass every
 * contact already in the segment counts as entering it (so a new win-back reaches today's
 * lapsed customers); a marketer who wants otherwise adds `re_entry`/audience rules.
 */
export function createSegmentsPhase(deps: PhaseDeps & { fullPassMs: number }): TickPhase {
  const { database, plans, metrics } = deps;
  let lastFull: Date | undefined;
  let lastPass: Date | undefined;
  return {
    name: 'segments',
    async run(now) {
      const full = !lastFull || now.getTime() - lastFull.getTime() >= deps.fullPassMs;
      const scope: PassScope = full || !lastPass ? undefined : { since: lastPass };
      const handled = await database.db.transaction(async (tx) => {
        const campaigns = (await plans.active(tx)).filter((c) => c.plan.trigger.kind === 'segment');
        if (campaigns.length === 0) return 0;
        const segments = new Map<string, Condition>();
        for (const { plan } of campaigns) if (plan.trigger.kind === 'segment') segments.set(plan.trigger.segment, plan.trigger.condition);
        const moved = new Map<string, { enters: number[]; leaves: number[] }>();
        for (const [name, condition] of segments) {
          const matches = toSql(condition, { now });
          const enters = await enterSegment(tx, name, matches, now, scope);
          const leaves = await leaveSegment(tx, name, matches, now, scope);
          moved.set(name, { enters, leaves });
          metrics.inc(
            'almanac_segment_moves_total',
            'Contacts entering or leaving segments',
            { segment: name, change: 'enters' },
            enters.length,
          );
          metrics.inc(
            'almanac_segment_moves_total',
            'Contacts entering or leaving segments',
            { segment: name, change: 'leaves' },
            leaves.length,
          );
        }
        const contactIds = [...new Set([...moved.values()].flatMap((m) => [...m.enters, ...m.leaves]))];
        if (contactIds.length === 0) return 0;
        const facts = await loadFacts(tx, contactIds, { now });
        const running = await lockActiveRunsOf(tx, contactIds);
        const lastStart = new Map((await lastEntries(tx, contactIds)).map((e) => [`${e.contactId}:${e.campaign}`, e.lastStartedAt]));
        const writes = createRunWrites(now);
        let started = 0;
        for (const { versionId, plan } of campaigns) {
          if (plan.trigger.kind !== 'segment') continue;
          const { segment, change } = plan.trigger;
          for (const contactId of moved.get(segment)?.[change] ?? []) {
            const f = facts.get(contactId);
            const trigger = { type: `segment.${change === 'enters' ? 'entered' : 'left'}`, occurredAt: now, properties: { segment } };
            const history = {
              lastStartedAt: lastStart.get(`${contactId}:${plan.id}`),
              activeKeys: new Set(running.filter((r) => r.contactId === contactId && r.campaign === plan.id).map((r) => r.correlationKey)),
            };
            const decision = decideEntry(plan, f, trigger.properties, null, history, now);
            if (!decision.start || !f) continue;
            const state = initialState(plan, trigger, undefined);
            const handle: RunHandle = {
              versionId,
              plan,
              contactId,
              correlationKey: null,
              state,
              status: decision.holdout ? 'holdout' : 'active',
            };
            const entryKey = `segment:${segment}:${change}:${now.toISOString()}`;
            if (decision.holdout) writes.start(handle, entryKey, undefined, f, 'holdout');
            else writes.start(handle, entryKey, step(plan, state, { kind: 'start', facts: f }, now), f);
            started++;
          }
        }
        const written = await writes.flush(tx);
        metrics.inc('almanac_runs_started_total', 'Journey runs started', {}, written.runsStarted);
        metrics.inc('almanac_sends_queued_total', 'Sends queued by journey steps', {}, written.sendsQueued);
        return started;
      });
      lastPass = now;
      if (full) lastFull = now;
      return handled;
    },
  };
}
