import type { Condition } from '../dsl/condition';
import type { CampaignPlan, Step } from '../dsl/plan';
import { canonicalJson, describeStep } from '../dsl/walk';
import { conditionWords } from './words';

/**
 * A warning of `almanac plan --forecast`: something in a campaign that compiles but cannot do what
 * it says. Each names the campaign and the step it is about (null when it is about the campaign
 * as a whole) and says why in words.
 *
 * - `unreachable_step`: no path reaches the step (it follows an `exit`, or a branch or split
 *   whose every arm ends the run);
 * - `arm_never_holds`: a branch arm that can never be the first to hold (an earlier arm has the
 *   same condition or always holds, or its own condition never does);
 * - `always_quiet_hours`: a send always due inside quiet hours (../campaigns/calendar-warnings.ts);
 * - `over_cap`: a broadcast that fires more often than a frequency cap allows;
 * - `always_outranked`: a broadcast whose every send meets a higher-priority one inside a cap;
 * - `contacts_without_zone`: contacts without a time zone get a send at a local time read in
 *   the calendar's zone (counted in the database: src/forecast/plan-forecast.ts);
 * - `always_deferred`: in the forecast, every send of the campaign is moved from its time.
 */
export interface PlanWarning {
  kind:
    | 'unreachable_step'
    | 'arm_never_holds'
    | 'always_quiet_hours'
    | 'over_cap'
    | 'always_outranked'
    | 'contacts_without_zone'
    | 'always_deferred';
  campaign: string;
  step: string | null;
  message: string;
}

/** Pure: the unreachable steps and never-holding branch arms of one campaign, in source order. */
export function stepWarnings(plan: CampaignPlan): PlanWarning[] {
  const out: PlanWarning[] = [];
  endsRun(plan.steps, plan.id, out);
  return out;
}

/**
 * Walk a step list, noting the first step no path reaches; true when every path through the
 * list ends the run (so what follows the list's parent is unreachable from here).
 */
function endsRun(list: Step[], campaign: string, out: PlanWarning[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const step = list[i]!;
    if (!stepEnds(step, campaign, out)) continue;
    const next = list[i + 1];
    if (next) {
      const more = list.length - i - 2;
      const why =
        step.kind === 'exit'
          ? `it comes after the exit at ${step.key}`
          : `every path through ${step.key} (${describeStep(step)}) ends the run at an exit`;
      out.push({
        kind: 'unreachable_step',
        campaign,
        step: next.key,
        message: `${next.key} (${describeStep(next)})${more > 0 ? ` and the ${more} step${more === 1 ? '' : 's'} after it` : ''} never run${more > 0 ? '' : 's'}: ${why}`,
      });
    }
    return true;
  }
  return false;
}

/** Whether every path through this one step ends the run; notes what inside it is never reached. */
function stepEnds(step: Step, campaign: string, out: PlanWarning[]): boolean {
  switch (step.kind) {
    case 'exit':
      return true;
    case 'wait_until':
      endsRun(step.onTimeout, campaign, out); // the awaited event skips on_timeout: the run goes on either way
      return false;
    case 'split': // every arm has a share above 0 % (the compiler checks)
      return step.arms.map((arm) => endsRun(arm.steps, campaign, out)).every(Boolean);
    case 'branch': {
      const reachable: Step[][] = [];
      const seen: Array<{ condition: string; arm: number }> = [];
      let alwaysArm: number | undefined;
      step.arms.forEach((arm, i) => {
        const here = canonicalJson(arm.when);
        const same = seen.find((s) => s.condition === here);
        const why =
          alwaysArm !== undefined
            ? `arm ${alwaysArm + 1} before it always holds`
            : same
              ? `arm ${same.arm + 1} before it has the same condition (${conditionWords(arm.when)})`
              : never(arm.when)
                ? `its condition (${conditionWords(arm.when)}) can never hold`
                : undefined;
        seen.push({ condition: here, arm: i });
        if (why) {
          out.push({
            kind: 'arm_never_holds',
            campaign,
            step: arm.steps[0]?.key ?? step.key,
            message: `arm ${i + 1} of ${step.key} (when ${conditionWords(arm.when)}) is never taken: ${why}`,
          });
          return;
        }
        reachable.push(arm.steps);
        if (always(arm.when)) alwaysArm = i;
      });
      if (alwaysArm !== undefined) {
        if (step.otherwise.length)
          out.push({
            kind: 'arm_never_holds',
            campaign,
            step: step.otherwise[0]!.key,
            message: `the otherwise of ${step.key} is never taken: arm ${alwaysArm + 1} always holds`,
          });
      } else reachable.push(step.otherwise);
      return reachable.map((list) => endsRun(list, campaign, out)).every(Boolean);
    }
    default:
      return false;
  }
}

/** Holds for every contact, by its shape alone (`all: []`, `not: { any: [] }`, …). */
export function always(c: Condition): boolean {
  if (c.kind === 'all') return c.of.every(always);
  if (c.kind === 'any') return c.of.some(always);
  if (c.kind === 'not') return never(c.of);
  if (c.kind === 'segment') return always(c.condition);
  return false;
}

/** Holds for no contact, by its shape alone: `any: []`, a part that never holds, X together with not X. */
export function never(c: Condition): boolean {
  if (c.kind === 'any') return c.of.every(never);
  if (c.kind === 'not') return always(c.of);
  if (c.kind === 'segment') return never(c.condition);
  if (c.kind !== 'all') return false;
  if (c.of.some(never)) return true;
  const parts = new Set(c.of.map((x) => canonicalJson(x)));
  return c.of.some((x) => x.kind === 'not' && parts.has(canonicalJson(x.of)));
}
