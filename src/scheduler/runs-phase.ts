import { factsForRun } from '../journey/entry';
import { step } from '../journey/index';
import type { Database } from '../storage/db';
import { loadFacts } from '../storage/facts';
import { claimDueRuns } from '../storage/runs';
import type { PhaseDeps } from './events-phase';
import { createRunWrites, handleOf, type RunHandle } from './run-writes';
import { batchedPhase, type TickPhase } from './tick';

/**
 * Tick phase `runs`: step every run whose `next_wake_at` has come (a wait ended, a wait_until
 * timed out), a batch per transaction: claim with SKIP LOCKED, read the contacts' facts once,
 * step each run in memory, write states and effects in a few statements, commit. A run whose
 * plan is gone or whose step throws fails with the reason recorded; the others go on.
 */
export function createRunsPhase(deps: PhaseDeps & { database: Database }): TickPhase {
  const { database, plans, metrics } = deps;
  const runBatch = (now: Date) =>
    database.db.transaction(async (tx) => {
      const due = await claimDueRuns(tx, { now, limit: deps.batchSize });
      if (due.length === 0) return 0;
      const runPlans = await plans.byIds(
        tx,
        due.map((r) => r.versionId),
      );
      const facts = await loadFacts(tx, [...new Set(due.map((r) => r.contactId))], { now });
      const writes = createRunWrites(now);
      for (const r of due) {
        const plan = runPlans.get(r.versionId);
        const state = r.state as RunHandle['state'];
        const f = facts.get(r.contactId);
        if (!plan || !f) {
          writes.failUnsteppable({ id: r.id, state }, plan ? 'contact_missing' : `plan_missing:version ${r.versionId}`);
          metrics.inc('almanac_run_failures_total', 'Runs failed by the engine', { reason: plan ? 'contact_missing' : 'plan_missing' });
          continue;
        }
        const handle = handleOf(r, plan);
        try {
          writes.step(handle, step(plan, handle.state, { kind: 'wake', facts: factsForRun(f, r.id) }, now), f);
        } catch (err) {
          writes.fail(handle, `error:${(err as Error).message}`);
          metrics.inc('almanac_run_failures_total', 'Runs failed by the engine', { reason: 'error' });
          deps.onRunError?.(r.id, err);
        }
      }
      const written = await writes.flush(tx);
      metrics.inc('almanac_sends_queued_total', 'Sends queued by journey steps', {}, written.sendsQueued);
      return due.length;
    });
  // Two batches at once: one steps in memory while the other waits on the database (as two workers would).
  return batchedPhase('runs', { ...deps, concurrency: 2 }, runBatch);
}
