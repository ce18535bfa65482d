import type { Facts } from '../dsl/condition';
import type { CampaignPlan } from '../dsl/plan';
import type { Effect, RunState, StepResult } from '../journey/index';
import type { Tx } from '../storage/db';
import { insertEvents } from '../storage/events';
import { insertSends, mergeContactAttributes, type NewSend, wakeRunsWithSettledSends } from '../storage/journey-writes';
import { insertRuns, type NewRun, type RunRow, type RunUpdate, updateRuns } from '../storage/runs';
import { cancelSendsOfEndedRuns } from '../storage/sends';
import {
  cancelWebhookCallsOfEndedRuns,
  insertWebhookCalls,
  type WebhookCallFields,
  wakeRunsWithSettledWebhookCalls,
} from '../storage/webhook-calls';
import type { RunStatus } from '../storage/runs';

/** A run the batch is working on: an existing row (`id`) or one it is about to insert. */
export interface RunHandle {
  id?: number;
  versionId: number;
  plan: CampaignPlan;
  contactId: number;
  correlationKey: string | null;
  state: RunState;
  status: RunStatus;
}

/** What an exit reason means for the run's status. */
/** The handle of a stored active run whose plan was found. */
export const handleOf = (r: RunRow, plan: CampaignPlan): RunHandle => ({
  id: r.id,
  versionId: r.versionId,
  plan,
  contactId: r.contactId,
  correlationKey: r.correlationKey,
  state: r.state as RunState,
  status: 'active',
});

export function statusForExit(reason: string): RunStatus {
  if (reason === 'completed') return 'completed';
  if (reason === 'exit_step' || reason.startsWith('exit_on:')) return 'exited';
  return 'failed';
}

/**
 * Collects everything a batch of steps decided and writes it in a few statements: new runs
 * (one insert), stepped runs (one update), sends and webhook calls (one insert each, unique per run and step),
 * attribute updates (one statement), emitted events (one insert, processed by a later batch),
 * the waiting sends and calls of runs that ended (cancelled, one statement each).
 * The caller runs `flush` inside the transaction that claimed the work, so state and effects
 * commit together or not at all.
 */
export function createRunWrites(now: Date) {
  const created: Array<{ handle: RunHandle; entryKey: string; effects: Effect[]; exitReason: string | null }> = [];
  const updated = new Map<RunHandle, { effects: Effect[]; exitReason: string | null }>();
  let nextWake = new Map<RunHandle, Date | null>();
  const unsteppable: RunUpdate[] = [];

  const absorb = (handle: RunHandle, result: StepResult, facts: Facts | undefined) => {
    handle.state = result.state;
    let exitReason: string | null = null;
    for (const e of result.effects) {
      if (e.kind === 'wake_at') nextWake.set(handle, e.at);
      if (e.kind === 'exit') {
        exitReason = e.reason;
        handle.status = statusForExit(e.reason);
        nextWake.set(handle, null);
      }
      // Later events of this batch see the attributes this step wrote.
      if (e.kind === 'update' && facts) Object.assign(facts.contact.attributes, e.attributes);
    }
    if (!result.effects.some((e) => e.kind === 'wake_at' || e.kind === 'exit') && !nextWake.has(handle)) {
      nextWake.set(handle, result.state.wakeAt ? new Date(result.state.wakeAt) : null);
    }
    return { effects: result.effects, exitReason };
  };

  return {
    /** A new run, already stepped with its `start` input (or a holdout run with no step). */
    start(handle: RunHandle, entryKey: string, result: StepResult | undefined, facts: Facts | undefined, holdoutReason?: string) {
      if (!result) {
        created.push({ handle, entryKey, effects: [], exitReason: holdoutReason ?? null });
        nextWake.set(handle, null);
        return;
      }
      created.push({ handle, entryKey, ...absorb(handle, result, facts) });
    },
    /** An existing run stepped (possibly several times in one batch: effects accumulate). */
    step(handle: RunHandle, result: StepResult, facts: Facts | undefined) {
      const r = absorb(handle, result, facts);
      const prev = updated.get(handle) ?? { effects: [], exitReason: null };
      updated.set(handle, { effects: [...prev.effects, ...r.effects], exitReason: r.exitReason ?? prev.exitReason });
    },
    /** Mark a stored run failed that cannot be stepped at all: its plan or its contact is gone. */
    failUnsteppable(run: { id: number; state: RunState }, reason: string) {
      unsteppable.push({ id: run.id, state: run.state, status: 'failed', nextWakeAt: null, exitReason: reason });
    },
    /** Mark an existing run failed (stepping it threw). */
    fail(handle: RunHandle, reason: string) {
      handle.status = 'failed';
      nextWake.set(handle, null);
      const prev = updated.get(handle) ?? { effects: [], exitReason: null };
      updated.set(handle, { effects: prev.effects, exitReason: reason });
    },
    async flush(tx: Tx): Promise<{ runsStarted: number; runsStepped: number; sendsQueued: number }> {
      const newRuns: NewRun[] = created.map(({ handle, entryKey, exitReason }) => ({
        versionId: handle.versionId,
        campaign: handle.plan.id,
        contactId: handle.contactId,
        entryKey,
        correlationKey: handle.correlationKey,
        state: handle.state,
        status: handle.status,
        nextWakeAt: handle.status === 'active' ? (nextWake.get(handle) ?? null) : null,
        exitReason,
        startedAt: now,
        endedAt: handle.status === 'active' ? null : now,
      }));
      const ids = await insertRuns(tx, newRuns);
      created.forEach((c, i) => (c.handle.id = ids[i]));
      const updates: RunUpdate[] = [...updated].map(([handle, u]) => ({
        id: handle.id!,
        state: handle.state,
        status: handle.status,
        nextWakeAt: handle.status === 'active' ? (nextWake.get(handle) ?? null) : null,
        exitReason: u.exitReason,
      }));
      await updateRuns(tx, [...updates, ...unsteppable], now);
      // Effects of runs whose insert was skipped (already entered) are dropped with them.
      const all = [
        ...created.filter((c) => c.handle.id !== undefined).map((c) => [c.handle, c.effects] as const),
        ...[...updated].map(([h, u]) => [h, u.effects] as const),
      ];
      const sends: NewSend[] = [];
      const calls: Array<WebhookCallFields & { now: Date }> = [];
      const attributes: Array<{ contactId: number; attributes: Record<string, unknown> }> = [];
      const emitted: Parameters<typeof insertEvents>[1] = [];
      for (const [h, effects] of all) {
        for (const e of effects) {
          if (e.kind === 'send') {
            const payload: Record<string, unknown> = {};
            if (e.subject !== undefined) payload.subject = e.subject;
            if (e.data !== undefined) payload.data = e.data;
            sends.push({
              runId: h.id!,
              stepKey: e.stepKey,
              contactId: h.contactId,
              campaign: h.plan.id,
              campaignVersionId: h.versionId,
              template: e.template,
              purpose: h.plan.purpose,
              priority: h.plan.priority,
              payload,
              notBefore: now,
              createdAt: now,
            });
          } else if (e.kind === 'webhook') {
            calls.push({
              runId: h.id!,
              stepKey: e.stepKey,
              campaign: h.plan.id,
              campaignVersionId: h.versionId,
              purpose: h.plan.purpose,
              url: e.url,
              template: e.body,
              secretName: e.secret ?? null,
              gate: e.gate,
              now,
            });
          } else if (e.kind === 'update') attributes.push({ contactId: h.contactId, attributes: e.attributes });
          else if (e.kind === 'emit') {
            emitted.push({
              dedupeKey: `emit:${h.id}:${e.stepKey}`,
              type: e.event,
              contactId: h.contactId,
              properties: { ...e.properties, campaign: h.plan.id },
              occurredAt: now,
              receivedAt: now,
              source: 'journey',
            });
          }
        }
      }
      const sendsQueued = await insertSends(tx, sends);
      await insertWebhookCalls(tx, calls);
      await mergeContactAttributes(tx, attributes, now);
      await insertEvents(tx, emitted);
      // A send belongs to its run: a run that ended in this batch takes its waiting sends with it.
      const handles = [...created.map((c) => c.handle), ...updated.keys()].filter((h) => h.id !== undefined);
      const ended = [...handles.filter((h) => h.status !== 'active').map((h) => h.id!), ...unsteppable.map((u) => u.id)];
      await cancelSendsOfEndedRuns(tx, { runIds: ended }, now);
      await cancelWebhookCallsOfEndedRuns(tx, { runIds: ended }, now);
      // A run waiting on a send or call that already exists and is settled (a replayed step) goes on at once.
      const waiting = handles.filter((h) => h.status === 'active' && h.state.phase === 'sending').map((h) => h.id!);
      await wakeRunsWithSettledSends(tx, waiting, now);
      await wakeRunsWithSettledWebhookCalls(tx, waiting, now);
      const result = { runsStarted: ids.filter((id) => id !== undefined).length, runsStepped: updates.length, sendsQueued };
      created.length = 0;
      updated.clear();
      unsteppable.length = 0;
      nextWake = new Map();
      return result;
    },
  };
}

export type RunWrites = ReturnType<typeof createRunWrites>;
