import { drawKey } from './holdout';
import type { Facts } from '../dsl/condition';
import type { CampaignPlan } from '../dsl/plan';
import { holds, whereHolds } from './conditions';
import { entryOf, type PlanIndex } from './navigate';
import { chooseArm } from './split';
import type { Effect, RunState, StepResult } from './state';

/** One call's working set: the plan indexed once, the facts it may update, the effects so far. */
export interface StepContext {
  plan: CampaignPlan;
  index: PlanIndex;
  facts: Facts;
  now: Date;
  effects: Effect[];
}

/**
 * Execute steps from `from` until the run must wait or ends. Instantaneous steps (update, emit,
 * branch, split, exit) follow each other in this one call; an `update` is visible to later
 * branches at once. A `send` queues its message and a `webhook` its call, and the run waits for
 * it to be settled (phase `sending`). A valid plan visits each step at most once per run (continuations only move forward
 * in source order), so a run that has taken more steps than its plan has (`state.taken`, counted
 * across calls) is going round a cycle of repeated keys: it exits 'step_limit' instead of spinning.
 */
export function advance(ctx: StepContext, state: RunState, from: string | null): StepResult {
  const { index, now, effects } = ctx;
  const splits = { ...state.splits };
  let key = from;
  let taken = state.taken ?? 0;
  // `at` reads the loop's current `taken` and `splits` into the state a return leaves behind.
  const at = () => ({ ...state, splits, taken });
  for (; ; taken++) {
    if (key === null) return finish(ctx, at(), 'completed');
    const slot = index.get(key);
    if (!slot) return finish(ctx, at(), `step_missing:${key}`);
    if (taken >= index.size) return finish(ctx, at(), 'step_limit');
    const { step, next } = slot;
    switch (step.kind) {
      case 'send': {
        const effect: Effect = { kind: 'send', stepKey: step.key, template: step.template };
        if (step.subject !== undefined) effect.subject = step.subject;
        if (step.data !== undefined) effect.data = step.data;
        effects.push(effect);
        // The journey waits for its send: the dispatcher wakes the run when it is settled.
        return { state: { ...withoutWake({ ...state, splits, taken: taken + 1 }), at: step.key, phase: 'sending' }, effects };
      }
      case 'webhook': {
        const effect: Effect = { kind: 'webhook', stepKey: step.key, url: step.url, body: step.body, gate: step.gate };
        if (step.secret !== undefined) effect.secret = step.secret;
        effects.push(effect);
        // Like a send: the run waits until the webhooks phase has settled the call.
        return { state: { ...withoutWake({ ...state, splits, taken: taken + 1 }), at: step.key, phase: 'sending' }, effects };
      }
      case 'update':
        effects.push({ kind: 'update', stepKey: step.key, attributes: step.attributes });
        ctx.facts = {
          ...ctx.facts,
          contact: { ...ctx.facts.contact, attributes: { ...ctx.facts.contact.attributes, ...step.attributes } },
        };
        key = next;
        break;
      case 'emit':
        effects.push({ kind: 'emit', stepKey: step.key, event: step.event, properties: step.properties ?? {} });
        key = next;
        break;
      case 'exit':
        return finish(ctx, at(), 'exit_step');
      case 'branch': {
        const arm = step.arms.find((a) => holds(a.when, ctx.facts, now));
        key = entryOf(arm ? arm.steps : step.otherwise, next);
        break;
      }
      case 'split': {
        const arm = chooseArm(ctx.plan, step, drawKey(ctx.facts.contact), splits);
        if (arm) splits[step.key] = arm.name;
        key = entryOf(arm?.steps ?? [], next);
        break;
      }
      case 'wait':
        return pause(ctx, { ...state, splits, taken: taken + 1 }, step.key, 'sleeping', step.ms);
      case 'wait_until': {
        // The awaited event may already have happened since the wait began (a click in the seconds
        // between the send settling and this step running): then the wait is over at once.
        const until = now.getTime() + step.timeoutMs;
        const happened = ctx.facts.events.some(
          (e) =>
            e.type === step.event &&
            e.occurredAt.getTime() >= now.getTime() &&
            e.occurredAt.getTime() < until &&
            whereHolds(step.where, e, ctx.facts, now),
        );
        if (happened) {
          key = next;
          break;
        }
        return pause(ctx, { ...state, splits, taken: taken + 1 }, step.key, 'awaiting', step.timeoutMs);
      }
    }
  }
}

function pause(ctx: StepContext, state: RunState, at: string, phase: 'sleeping' | 'awaiting', ms: number): StepResult {
  const wakeAt = new Date(ctx.now.getTime() + ms);
  ctx.effects.push({ kind: 'wake_at', at: wakeAt });
  return { state: { ...withoutWake(state), at, phase, wakeAt: wakeAt.toISOString() }, effects: ctx.effects };
}

/** End the run: phase 'done', `at` null, the reason kept in the state and told as the last effect. */
export function finish(ctx: StepContext, state: RunState, reason: string): StepResult {
  ctx.effects.push({ kind: 'exit', reason });
  return { state: { ...withoutWake(state), at: null, phase: 'done', exitReason: reason }, effects: ctx.effects };
}

export function withoutWake(state: RunState): RunState {
  const { wakeAt: _wakeAt, ...rest } = state;
  return rest;
}
