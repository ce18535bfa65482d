import { RRule } from '../lib/rrule';
import type { BroadcastTrigger } from '../calendar/occurrences';
import { DEFAULT_ANCHOR } from '../calendar/floating';
import { parseLocal } from '../calendar/zone';
import type { Step } from '../dsl/plan';

/** A send step, with when it falls due after the run starts when that is known on every path. */
export interface FirstSend {
  step: Extract<Step, { kind: 'send' }>;
  /** Milliseconds after the run starts, one per path that reaches it (deduplicated); null when some path's time is unknown. */
  offsets: number[] | null;
}

/** More offsets than this (many branches of many waits) are not tracked: the time becomes unknown. */
const MAX_OFFSETS = 64;

/**
 * Pure: the sends a run reaches before any other send, with how long after its start each falls
 * due. What is known: a `wait` adds its duration, and `on_timeout` steps run exactly when the
 * `wait_until` times out. What is not: anything after a `wait_until` (the event may come at any
 * moment), after a send (the run waits for it to go out, which quiet hours and caps may move), or
 * after a step kind that is not pure bookkeeping. Sends after a send are not listed.
 */
export function firstSends(steps: Step[]): FirstSend[] {
  const out: FirstSend[] = [];
  walk(steps, [0], out, false);
  // A send reached twice (never, with keys unique) would be listed once per path; keep the first.
  return out.filter((s, i) => out.findIndex((o) => o.step.key === s.step.key) === i);
}

/** `at` after the list (null: unknown, []: every path ended); `sent`: a send came before on every path that goes on. */
function walk(list: Step[], at: number[] | null, out: FirstSend[], sent: boolean): { at: number[] | null; sent: boolean } {
  for (const step of list) {
    if (at !== null && at.length === 0) break;
    switch (step.kind) {
      case 'wait':
        at = at && at.map((t) => t + step.ms);
        break;
      case 'send':
        if (!sent) out.push({ step, offsets: at && [...new Set(at)].sort((a, b) => a - b) });
        sent = true;
        at = null;
        break;
      case 'exit':
        return { at: [], sent };
      case 'update':
      case 'emit':
        break;
      case 'wait_until':
        // The event path skips on_timeout: after the step, nothing more is known, nor sent on every path.
        walk(step.onTimeout, at && at.map((t) => t + step.timeoutMs), out, sent);
        at = null;
        break;
      case 'branch':
      case 'split': {
        const lists = step.kind === 'branch' ? [...step.arms.map((a) => a.steps), step.otherwise] : step.arms.map((a) => a.steps);
        const results = lists.map((l) => walk(l, at, out, sent));
        // Sent on every path that goes on (a path that ended at an exit does not).
        sent = sent || results.filter((r) => !(r.at !== null && r.at.length === 0)).every((r) => r.sent);
        at = results.some((r) => r.at === null) ? null : [...new Set(results.flatMap((r) => r.at!))];
        if (at && at.length > MAX_OFFSETS) at = null;
        break;
      }
      default:
        at = null; // a step kind this walk does not know may take time
    }
  }
  return { at, sent };
}

/**
 * Pure: whether every path through the steps sends at least once (a path may end at an `exit`; a
 * send inside `on_timeout` proves nothing, the awaited event skips it).
 * Used to say "each occurrence sends".
 */
export function alwaysSends(steps: Step[]): boolean {
  for (const step of steps) {
    if (step.kind === 'send') return true;
    if (step.kind === 'exit') return false;
    if (step.kind === 'branch' && [...step.arms.map((a) => a.steps), step.otherwise].every(alwaysSends)) return true;
    if (step.kind === 'split' && step.arms.every((a) => alwaysSends(a.steps))) return true;
  }
  return false;
}

const list = (v: number | number[] | null | undefined): number[] => (v == null ? [] : Array.isArray(v) ? v : [v]);

/**
 * Pure: every local minute of the day (0–1439) at which a broadcast trigger can fire, or a
 * superset of them. Read from the rule: BYHOUR and BYMINUTE, else the start's hour and minute
 * (DTSTART; 00:00 without `start`, as the engine expands it) for rules of a day or longer, or
 * every hour / minute for HOURLY and MINUTELY rules without them. Seconds do not matter: quiet
 * hours are judged by the minute. Undefined for a rule this cannot read.
 */
export function triggerMinutes(trigger: BroadcastTrigger): number[] | undefined {
  if (trigger.kind === 'at') return [minuteOf(parseLocal(trigger.at))];
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(trigger.rrule);
  } catch {
    return undefined;
  }
  const anchor = trigger.start ? parseLocal(trigger.start) : DEFAULT_ANCHOR;
  const freq = options.freq ?? RRule.DAILY;
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  const hours = list(options.byhour).length ? list(options.byhour) : freq <= RRule.DAILY ? [new Date(anchor).getUTCHours()] : all(24);
  const minutes = list(options.byminute).length
    ? list(options.byminute)
    : freq <= RRule.HOURLY
      ? [new Date(anchor).getUTCMinutes()]
      : all(60);
  return [...new Set(hours.flatMap((h) => minutes.map((m) => h * 60 + m)))].sort((a, b) => a - b);
}

const minuteOf = (wall: number) => Math.floor((((wall % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);

/** `22:00`, `07:30`: a minute of the day. */
export const clockTime = (minute: number) =>
  `${String(Math.floor(minute / 60) % 24).padStart(2, '0')}:${String(((minute % 60) + 60) % 60).padStart(2, '0')}`;
