import type { EventFact, Facts } from '../dsl/condition';
import type { CampaignPlan, WebhookBody, WebhookGate } from '../dsl/plan';

export const RUN_STATE_VERSION = 1;

/**
 * Where one contact is in one campaign, persisted as jsonb in `runs.state` after every step.
 *
 * There is no continuation stack: the plan is a tree and a key names one place in it, so "what
 * comes after this step" is computed from the plan (src/journey/navigate.ts). That keeps the
 * state tiny and lets `migrate: true` move a run by its key alone.
 *
 * `at` by phase:
 * - 'ready': the step to execute next (null: nothing left, the next call completes the run);
 * - 'sleeping': the `wait` step being waited out; 'awaiting': the `wait_until` step;
 * - 'sending': the `send` (or `webhook`) step whose message (or call) is not settled yet
 *   (queued, held by quiet hours, a blackout or a cap, or in flight). The run has no wake of its
 *   own: when the dispatcher (the webhooks phase) settles it (sent or delivered, suppressed,
 *   failed, unknown) it sets `wakeAt` to that moment and wakes the run, which goes on after the
 *   step with its clock at `wakeAt` — so a `wait` after a held send counts from real delivery. (Added to state v1 without a version bump: older states never
 *   have this phase, and a run in it read by older code would simply wait.)
 * - 'done': null (the reason is in `exitReason`).
 */
export interface RunState {
  v: typeof RUN_STATE_VERSION;
  /** Key of the step the run is at, null when finished. The `plan` command counts in-flight runs by `state->>'at'`. */
  at: string | null;
  /** 'ready' = execute `at` now; 'sleeping' = a wait until wakeAt; 'awaiting' = a wait_until for an event until wakeAt (timeout); 'sending' = the send at `at` is not settled yet */
  phase: 'ready' | 'sleeping' | 'awaiting' | 'sending' | 'done';
  /**
   * ISO. Sleeping: the wait's end; awaiting: the timeout; sending: when the send settled (set
   * by the dispatcher). Ready: only after a migration moved a waiting run onto a step of another
   * kind — it runs that step once this time comes.
   */
  wakeAt?: string;
  /** sticky split choices by split step key */
  splits: Record<string, string>;
  /**
   * The event that started the run; templates see `properties` as `trigger.*` / `cart.*`. Later
   * events with the run's correlation key (`checkout.updated`) merge their properties in, the
   * latest by `occurred_at` winning per key; `refreshedAt` is that latest event's time.
   */
  trigger: { type: string; occurredAt: string; properties: Record<string, unknown>; refreshedAt?: string };
  correlationKey?: string;
  /** Steps executed so far on this version (the cycle guard in ./advance.ts); reset by a migration. */
  taken?: number;
  /** Why the run ended (same text as the `exit` effect), set with phase 'done'. */
  exitReason?: string;
}

/** Everything the step function may be told. `facts` are the contact as it is now. */
export type StepInput =
  | { kind: 'start'; facts: Facts } // run just created from a trigger (state from initialState())
  | { kind: 'wake'; facts: Facts } // next_wake_at is due (a wait ended, or a wait_until timed out)
  | { kind: 'event'; event: EventFact; facts: Facts }; // an event for this run (same contact; same correlation key when the campaign correlates)

/**
 * What the caller must do, in order. `wake_at` comes at most once and `exit` at most once per
 * result, always last; a result with neither means "nothing changed, keep next_wake_at".
 */
export type Effect =
  | { kind: 'send'; stepKey: string; template: string; subject?: string; data?: Record<string, unknown> }
  | { kind: 'update'; stepKey: string; attributes: Record<string, unknown> }
  | { kind: 'emit'; stepKey: string; event: string; properties: Record<string, unknown> }
  | { kind: 'webhook'; stepKey: string; url: string; body: WebhookBody; secret?: string; gate: WebhookGate }
  | { kind: 'wake_at'; at: Date } // when to call step again
  | { kind: 'exit'; reason: string }; // 'completed', 'exit_step', 'exit_on:<event>', 'step_missing:<key>', 'step_limit', …

export interface StepResult {
  state: RunState;
  effects: Effect[];
}

/** The state of a run just created from `trigger`; pass it to `step` with a `start` input. */
export function initialState(plan: CampaignPlan, trigger: EventFact, correlationKey: string | undefined): RunState {
  const state: RunState = {
    v: RUN_STATE_VERSION,
    at: plan.steps[0]?.key ?? null,
    phase: 'ready',
    splits: {},
    trigger: { type: trigger.type, occurredAt: trigger.occurredAt.toISOString(), properties: trigger.properties },
  };
  if (correlationKey !== undefined) state.correlationKey = correlationKey;
  return state;
}
