import type { EventFact, Facts } from '../dsl/condition';
import type { CampaignPlan } from '../dsl/plan';
import { advance, finish, type StepContext, withoutWake } from './advance';
import { whereHolds } from './conditions';
import { entryOf, indexPlan } from './navigate';
import { RUN_STATE_VERSION, type RunState, type StepInput, type StepResult } from './state';

/**
 * Run one contact's journey as far as it can go at `now`. Pure: no I/O, no clock; the caller
 * persists `state` and turns `effects` into rows in the same transaction.
 *
 * - start / wake: a run that is due (no `wakeAt`, or `now` at or past it) moves on — a ready run
 *   executes `at`, a sleeping one continues after its wait, an awaiting one runs `on_timeout`
 *   then continues after its wait_until. A run not yet due is left alone and its wake_at re-told.
 * - event: an `exit_on` match ends any unfinished run ('exit_on:<type>'). An awaiting run whose
 *   wait_until matches (type and `where`) continues after it, provided the event happened before
 *   the timeout — one stamped at or after it arrived too late, and the timeout path runs instead.
 *   Any other event changes nothing. The caller routes events (same contact, same correlation key).
 * - a finished run ignores everything.
 */
export function step(plan: CampaignPlan, state: RunState, input: StepInput, now: Date): StepResult {
  if (state.phase === 'done') return { state, effects: [] };
  const ctx: StepContext = { plan, index: indexPlan(plan), facts: factsFor(state, input.facts), now, effects: [] };
  if (state.v !== RUN_STATE_VERSION) return finish(ctx, state, `state_version:${String(state.v)}`);
  return input.kind === 'event' ? onEvent(ctx, state, input.event) : onWake(ctx, state);
}

function onWake(ctx: StepContext, state: RunState): StepResult {
  if (state.wakeAt !== undefined && ctx.now.getTime() < Date.parse(state.wakeAt)) return unchanged(state);
  if (state.phase === 'ready') return advance(ctx, state, state.at);
  if (state.at === null) return advance(ctx, state, null);
  // Not settled yet: only the dispatcher's settle (which sets wakeAt) moves a sending run on.
  if (state.phase === 'sending' && state.wakeAt === undefined) return unchanged(state);
  const slot = ctx.index.get(state.at);
  if (!slot) return finish(ctx, state, `step_missing:${state.at}`);
  if (state.phase === 'sending') {
    // The journey's clock after a send is the moment it settled, not when this tick runs.
    const settled = new Date(Math.min(ctx.now.getTime(), Date.parse(state.wakeAt!)));
    return advance({ ...ctx, now: settled }, withoutWake(state), slot.next);
  }
  if (state.phase === 'awaiting' && slot.step.kind === 'wait_until') {
    return advance(ctx, state, entryOf(slot.step.onTimeout, slot.next));
  }
  return advance(ctx, state, slot.next);
}

function onEvent(ctx: StepContext, state: RunState, event: EventFact): StepResult {
  const { plan, facts, now } = ctx;
  const exit = plan.exitOn.find((e) => e.event === event.type && whereHolds(e.where, event, facts, now));
  if (exit) return finish(ctx, state, `exit_on:${event.type}`);
  state = refreshTrigger(plan, state, event);
  if (state.phase !== 'awaiting' || state.at === null) return unchanged(state);
  const slot = ctx.index.get(state.at);
  if (!slot || slot.step.kind !== 'wait_until' || slot.step.event !== event.type) return unchanged(state);
  if (!whereHolds(slot.step.where, event, facts, now)) return unchanged(state);
  if (state.wakeAt !== undefined) {
    const timeout = Date.parse(state.wakeAt);
    // Stamped before the wait began (delivered late from before this step): it is not what the wait is for.
    // The start is the timeout less the step's own duration; a migrated run whose duration changed may have
    // its start put later than now, and then nothing is refused on that account.
    const began = timeout - slot.step.timeoutMs;
    if (began <= now.getTime() && event.occurredAt.getTime() < began) return unchanged(state);
    if (event.occurredAt.getTime() >= timeout) return onWake(ctx, state);
  }
  return advance(ctx, state, slot.next);
}

/**
 * A later event with the run's correlation key (`checkout.updated` for the cart of
 * `checkout.started`) refreshes what the run's templates see: its properties are merged over the
 * trigger's, key by key, when it happened at or after the newest one merged so far (latest
 * `occurred_at` wins; an older event arriving late changes nothing). Runs of campaigns without
 * `correlate` keep their trigger as it was.
 */
function refreshTrigger(plan: CampaignPlan, state: RunState, event: EventFact): RunState {
  const key = plan.trigger.kind === 'event' ? plan.trigger.correlate : undefined;
  if (key === undefined || state.correlationKey === undefined) return state;
  if (String(event.properties[key] ?? '') !== state.correlationKey) return state;
  const newest = Date.parse(state.trigger.refreshedAt ?? state.trigger.occurredAt);
  if (event.occurredAt.getTime() < newest) return state;
  const trigger = {
    ...state.trigger,
    properties: { ...state.trigger.properties, ...event.properties },
    refreshedAt: event.occurredAt.toISOString(),
  };
  return { ...state, trigger };
}

/** Nothing happened: same state, and the pending wake told again so next_wake_at stays right. */
function unchanged(state: RunState): StepResult {
  return { state, effects: state.wakeAt === undefined ? [] : [{ kind: 'wake_at', at: new Date(state.wakeAt) }] };
}

/** Branches see the run's trigger under `trigger.` / `cart.` even when the caller did not pass it. */
function factsFor(state: RunState, facts: Facts): Facts {
  return facts.trigger === undefined ? { ...facts, trigger: state.trigger.properties } : facts;
}
