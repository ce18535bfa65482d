import { formatDuration } from '../calendar/caps';
import { type BroadcastTrigger, expandTrigger, isBroadcast } from '../calendar/occurrences';
import { inQuietWindow } from '../calendar/quiet-hours';
import type { Condition } from '../dsl/condition';
import { type CalendarPlan, type CampaignPlan, TRANSACTIONAL_PURPOSE } from '../dsl/plan';
import { canonicalJson } from '../dsl/walk';
import { alwaysSends, clockTime, firstSends, triggerMinutes } from './send-times';
import type { PlanWarning } from './warnings';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Broadcast occurrences are sampled this far ahead (or three cap windows, when longer; at most SAMPLE_MAX_DAYS). */
const SAMPLE_DAYS = 28;
const SAMPLE_MAX_DAYS = 400;

type Broadcast = CampaignPlan & { trigger: BroadcastTrigger };

/**
 * Pure: what the calendar's rules do to the project's broadcasts, provably from the files alone
 * (event and segment journeys start at times only the database knows, so they are not judged).
 * Transactional campaigns skip quiet hours and caps, so they get none of these.
 *
 * - `always_quiet_hours`: a `timezone: contact` broadcast whose first send (no earlier send, no
 *   `wait_until` before it: nothing that could move it) is due at a local time inside quiet hours
 *   at every occurrence; the time is the rule's BYHOUR/BYMINUTE (or its start's) plus the waits.
 *   A time in a daylight-saving gap moves forward by the gap; that one day is not judged, but a
 *   wait must keep the send inside quiet hours even an hour earlier or later.
 * - `over_cap`: a broadcast that sends at every occurrence and fires more often within a cap's
 *   window than the cap allows (occurrences sampled over the next SAMPLE_DAYS days from `now`);
 *   an audience that requires an `anniversary` reaches a contact on that many days at most.
 * - `always_outranked`: every sampled occurrence of a broadcast's send meets, inside a cap's
 *   window before it (or at the same moment), as many sends as the cap allows from broadcasts
 *   that outrank it (higher priority, or equal and a smaller campaign id), reach everyone it
 *   reaches (no audience, the same, or one its audience requires), hold no one out, and read
 *   their times in the same zone: the cap is always full when it comes.
 */
export function calendarWarnings(project: { campaigns: CampaignPlan[]; calendar: CalendarPlan }, now: Date): PlanWarning[] {
  const { calendar } = project;
  const broadcasts = project.campaigns.filter((p): p is Broadcast => isBroadcast(p) && p.purpose !== TRANSACTIONAL_PURPOSE);
  // One cap warning of each kind per campaign: the first cap (in calendar.yaml's order) that proves it.
  return broadcasts.flatMap((plan) => [
    ...quietHoursWarnings(plan, calendar),
    ...overCapWarnings(plan, calendar, now).slice(0, 1),
    ...outrankedWarnings(plan, broadcasts, calendar, now).slice(0, 1),
  ]);
}

function quietHoursWarnings(plan: Broadcast, calendar: CalendarPlan): PlanWarning[] {
  const quiet = calendar.quietHours;
  const minutes = plan.trigger.timezone === 'contact' ? triggerMinutes(plan.trigger) : undefined;
  if (!quiet || !minutes) return [];
  return firstSends(plan.steps).flatMap(({ step, offsets }) => {
    if (!offsets) return [];
    const slack = offsets.some((o) => o !== 0) ? [-60, 0, 60] : [0];
    const due = [...new Set(offsets.flatMap((o) => minutes.map((m) => minuteOfDay(m * MINUTE_MS + o))))].sort((a, b) => a - b);
    if (!due.every((d) => slack.every((s) => inQuietWindow(minuteOfDay((d + s) * MINUTE_MS), quiet)))) return [];
    const times =
      due.length > 3 ? `${due.slice(0, 3).map(clockTime).join(', ')} and ${due.length - 3} more times` : listed(due.map(clockTime));
    return [
      {
        kind: 'always_quiet_hours' as const,
        campaign: plan.id,
        step: step.key,
        message:
          `${step.key} (send ${step.template}) is due at ${times} in each contact's zone, inside quiet hours ` +
          `(${clockTime(quiet.fromMinute)}–${clockTime(quiet.toMinute)}) every time: no send goes at its time, each waits until ${clockTime(quiet.toMinute)}`,
      },
    ];
  });
}

function overCapWarnings(plan: Broadcast, calendar: CalendarPlan, now: Date): PlanWarning[] {
  if (!alwaysSends(plan.steps)) return [];
  return capsOf(plan, calendar).flatMap((cap) => {
    const at = sample(plan, calendar, now, cap.perMs, 0);
    if (!at) return [];
    // A contact is only reached on the days its anniversary condition holds (a birthday once a year).
    const most = Math.min(mostWithin(at, cap.perMs), anniversaryDays(plan.audience) ?? Infinity);
    if (most <= cap.max) return [];
    const per = formatDuration(cap.perMs);
    return [
      {
        kind: 'over_cap' as const,
        campaign: plan.id,
        step: firstSends(plan.steps)[0]?.step.key ?? null,
        message:
          `fires ${most} times within ${per}, but the frequency cap ${cap.purpose} ${cap.max}/${per} allows ${cap.max}: ` +
          `at least ${most - cap.max} of every ${most} ${calendar.onConflict === 'skip' ? 'are skipped (on_conflict: skip)' : 'wait for room in the cap (on_conflict: defer)'}`,
      },
    ];
  });
}

/**
 * The fewest days a year the audience can hold for one contact when it requires an `anniversary`
 * (at its top or under `all`): `today` → 1, `within: 7d` → 7. Undefined: no such requirement.
 */
function anniversaryDays(audience: Condition | undefined): number | undefined {
  if (!audience) return undefined;
  if (audience.kind === 'all') {
    const days = audience.of.map(anniversaryDays).filter((d): d is number => d !== undefined);
    return days.length ? Math.min(...days) : undefined;
  }
  if (audience.kind === 'segment') return anniversaryDays(audience.condition);
  if (audience.kind === 'attribute' && audience.op === 'anniversary') {
    const days = (audience.value as { days?: unknown } | null)?.days;
    return typeof days === 'number' ? days : undefined;
  }
  return undefined;
}

function outrankedWarnings(plan: Broadcast, all: Broadcast[], calendar: CalendarPlan, now: Date): PlanWarning[] {
  const own = singleOffset(plan);
  if (own === undefined) return [];
  const rivals = all.flatMap((b) => {
    const offset = b === plan ? undefined : singleOffset(b);
    return offset !== undefined && outranks(b, plan) && covers(b, plan) && sameClock(b, plan) ? [{ plan: b, offset }] : [];
  });
  if (rivals.length === 0) return [];
  return capsOf(plan, calendar).flatMap((cap) => {
    const mine = sample(plan, calendar, now, cap.perMs, 0);
    if (!mine || mine.length === 0) return [];
    const theirs: Array<{ at: number; campaign: string }> = [];
    for (const r of rivals) {
      const at = sample(r.plan, calendar, now, cap.perMs, cap.perMs);
      if (!at) return [];
      theirs.push(...at.map((t) => ({ at: t + r.offset, campaign: r.plan.id })));
    }
    const met = new Set<string>();
    for (const t of mine.map((m) => m + own)) {
      const inWindow = theirs.filter((s) => s.at > t - cap.perMs && s.at <= t);
      if (inWindow.length < cap.max) return [];
      for (const s of inWindow) met.add(s.campaign);
    }
    const winners = all.filter((b) => met.has(b.id));
    const names = winners.map((b) => `${b.id} (priority ${b.priority})`);
    const tie = winners.some((b) => b.priority === plan.priority) ? '; on equal priority the smaller campaign id goes first' : '';
    const per = formatDuration(cap.perMs);
    return [
      {
        kind: 'always_outranked' as const,
        campaign: plan.id,
        step: firstSends(plan.steps)[0]?.step.key ?? null,
        message:
          `every send meets ${listed(names)} within the frequency cap ${cap.purpose} ${cap.max}/${per} and loses (its priority is ${plan.priority}${tie}): ` +
          (calendar.onConflict === 'skip' ? 'each is skipped (on_conflict: skip)' : 'each waits for room in the cap (on_conflict: defer)'),
      },
    ];
  });
}

const capsOf = (plan: CampaignPlan, calendar: CalendarPlan) =>
  calendar.frequencyCaps.filter((c) => c.purpose === 'any' || c.purpose === plan.purpose);

/**
 * The broadcast's occurrences from `now − back` over the sample, as instants: `timezone: contact`
 * read in the calendar's zone (every contact's wall clock shows the same), else its own zone.
 * Undefined when the rule has too many occurrences to expand.
 */
function sample(plan: Broadcast, calendar: CalendarPlan, now: Date, perMs: number, back: number): number[] | undefined {
  const length = Math.min(SAMPLE_MAX_DAYS * DAY_MS, Math.max(SAMPLE_DAYS * DAY_MS, 3 * perMs));
  try {
    const range = { from: new Date(now.getTime() - back), to: new Date(now.getTime() + length) };
    return expandTrigger(plan.trigger, range, calendar.timezone).map((d) => d.getTime());
  } catch {
    return undefined;
  }
}

/** The most instants (sorted) inside any window (t − per, t]. */
function mostWithin(at: number[], perMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[j]! <= at[i]! - perMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** The one delay after its start at which every first send of the broadcast is due, when it always sends. */
function singleOffset(plan: Broadcast): number | undefined {
  if (!alwaysSends(plan.steps)) return undefined;
  const offsets = new Set(firstSends(plan.steps).flatMap((s) => s.offsets ?? [Number.NaN]));
  const [only] = offsets;
  return offsets.size === 1 && Number.isFinite(only) ? only : undefined;
}

/** The cap's order (src/calendar/caps.ts): higher priority first, then the smaller campaign id. */
const outranks = (a: CampaignPlan, b: CampaignPlan) => a.priority > b.priority || (a.priority === b.priority && a.id < b.id);

/** `a` reaches everyone `b` reaches: the same purpose (so the same consent), no one held out, and an audience `b`'s implies. */
function covers(a: CampaignPlan, b: CampaignPlan): boolean {
  if (a.purpose !== b.purpose || a.holdoutPercent > 0) return false;
  if (!a.audience) return true;
  const theirs = canonicalJson(a.audience);
  const parts: Condition[] = b.audience ? (b.audience.kind === 'all' ? [b.audience, ...b.audience.of] : [b.audience]) : [];
  return parts.some((p) => canonicalJson(p) === theirs);
}

/** Both read their times on each contact's clock, or both in the same zone. */
const sameClock = (a: Broadcast, b: Broadcast) => a.trigger.timezone === b.trigger.timezone;

const minuteOfDay = (ms: number) => Math.floor((((ms % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);

const listed = (items: string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
