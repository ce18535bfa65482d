import { addDays, instantToLocal, isValidZone } from '../calendar/zone';
import { type BroadcastTrigger, isBroadcast } from '../calendar/occurrences';
import { calendarWarnings } from '../campaigns/calendar-warnings';
import { type ApplyPlan, diffProject } from '../campaigns/diff';
import { clockTime, firstSends, triggerMinutes } from '../campaigns/send-times';
import { type PlanWarning, stepWarnings } from '../campaigns/warnings';
import type { CampaignPlan, Project } from '../dsl/plan';
import { canonicalJson } from '../dsl/walk';
import { AppError } from '../errors';
import { latestVersions } from '../storage/campaign-versions';
import type { Database } from '../storage/db';
import { countAudiencesByZone, recipientsSql } from '../storage/forecast';
import { type ForecastComparison, compareForecasts } from './compare';
import { type CandidateProject, type ForecastRow, forecast, recipientConditions } from './forecast';
import { Pace } from './pace';
import { dayIn, MAX_RANGE_DAYS, rangeInstants, rangeProblem } from './view';

/** `almanac plan --forecast`: how many days, from which, seen at which moment. */
export interface PlanForecastRequest {
  /** Days in the window, 1–366 (default 30 at the edges). */
  days: number;
  /** The first day: YYYY-MM-DD in the project calendar's zone, or an ISO instant for its date there. Default: today. */
  from?: string;
  /** The engine's clock: the forecast's "now". */
  now: Date;
}

/** The forecast part of the plan: before → after per campaign and day, what it could not foresee, and the warnings. */
export interface PlanForecast {
  forecast: ForecastComparison;
  /** What the forecast leaves out, in words (a new journey with no entries to learn a rate from). */
  notes: string[];
  warnings: PlanWarning[];
}

export const DEFAULT_FORECAST_DAYS = 30;

type Broadcast = CampaignPlan & { trigger: BroadcastTrigger };

/**
 * What applying `project` does to the next `days` days: the forecast (./forecast.ts) of what is
 * applied, and again as if `project` were applied (its calendar and campaigns; in-flight runs on
 * their versions, moved first where a change says `migrate: true`), both dated in the project
 * calendar's zone and compared per campaign and day. Then the warnings: the static ones of the
 * compiled project (src/campaigns/warnings.ts, calendar-warnings.ts), the contacts a
 * `timezone: contact` broadcast reaches without a zone, and campaigns the forecast moves every
 * send of. Reads only.
 */
export async function planForecast(
  database: Database,
  project: Project,
  request: PlanForecastRequest,
  options: { pace?: Pace } = {},
): Promise<PlanForecast> {
  const pace = options.pace ?? new Pace();
  const zone = project.calendar.timezone;
  const { first, days } = forecastWindow(request, zone);
  const range = rangeInstants({ from: first, to: addDays(first, days - 1) }, zone);
  const stored = await latestVersions(database.db);
  const diff = diffProject(stored, project);
  const candidate = candidateOf(diff, stored, project);
  const before = await forecast(database, range, request.now, { pace, dayZone: zone });
  const after = await forecast(database, range, request.now, { pace, dayZone: zone, candidate });
  pace.check();
  const comparison = compareForecasts(before, after, { from: first, days, timezone: zone });
  const fixed = [...project.campaigns.flatMap(stepWarnings), ...calendarWarnings(project, request.now)];
  const warnings = [...fixed, ...(await zoneWarnings(database, project, request.now)), ...deferredWarnings(after, project, fixed)];
  return { forecast: comparison, notes: notesOf(diff), warnings: warnings.sort((a, b) => a.campaign.localeCompare(b.campaign)) };
}

/** The window's first day and length, checked: a clear error naming the field for anything else. */
function forecastWindow(request: PlanForecastRequest, zone: string): { first: string; days: number } {
  const { days } = request;
  if (!Number.isInteger(days) || days < 1 || days > MAX_RANGE_DAYS)
    throw new AppError('bad_request', `forecast.days: expected a whole number of days from 1 to ${MAX_RANGE_DAYS} (got ${days})`, {
      details: { field: 'forecast.days' },
    });
  const today = instantToLocal(request.now, zone).date;
  if (request.from === undefined) return { first: today, days };
  const badFrom = (message: string) => new AppError('bad_request', `forecast.from: ${message}`, { details: { field: 'forecast.from' } });
  const problem = rangeProblem(request.from, request.from);
  if (problem) throw badFrom(problem.message);
  const first = dayIn(request.from, zone);
  if (first < today) throw badFrom(`${first} is before today (${today} in ${zone}): the forecast starts today at the earliest`);
  return { first, days };
}

/** The project as apply would leave it: unchanged campaigns keep their stored version; a migrate: true change moves its runs. */
function candidateOf(diff: ApplyPlan, stored: Awaited<ReturnType<typeof latestVersions>>, project: Project): CandidateProject {
  const kept = new Map(stored.filter((v) => v.kind === 'campaign' && !v.retired).map((v) => [v.campaign, v.id]));
  const unchanged = new Set(diff.unchanged);
  const migrating = new Set(diff.changes.flatMap((c) => (c.kind === 'campaign' && c.action === 'change' && c.migrate ? [c.campaign] : [])));
  return {
    calendar: project.calendar,
    campaigns: project.campaigns.map((plan) => {
      const id = unchanged.has(plan.id) ? kept.get(plan.id) : undefined;
      return { plan, ...(id === undefined ? {} : { keptVersionId: id }), migrates: migrating.has(plan.id) };
    }),
  };
}

/** What the "after" side cannot know: journeys are forecast from the entries they had, and a new one has none. */
function notesOf(diff: ApplyPlan): string[] {
  return diff.changes.flatMap((c) => {
    if (c.kind !== 'campaign' || c.action === 'remove' || isBroadcast(c.plan)) return [];
    if (c.action === 'add')
      return [
        `${c.campaign} is new and starts on ${triggerName(c.plan)}: it has no entries yet to learn a rate from, so its sends are not forecast`,
      ];
    if (canonicalJson(c.plan.trigger) !== canonicalJson(c.previous.trigger))
      return [`${c.campaign} starts on a new trigger: its forecast repeats the entries of the old one (${triggerName(c.previous)})`];
    return [];
  });
}

const triggerName = (plan: CampaignPlan) =>
  plan.trigger.kind === 'event'
    ? `the event ${plan.trigger.event}`
    : plan.trigger.kind === 'segment'
      ? `${plan.trigger.change === 'enters' ? 'entering' : 'leaving'} the segment ${plan.trigger.segment}`
      : 'a schedule';

/** Contacts without a (valid) zone that a `timezone: contact` broadcast reaches: their local time is the calendar's. */
async function zoneWarnings(database: Database, project: Project, now: Date): Promise<PlanWarning[]> {
  const local = project.campaigns.filter((p): p is Broadcast => isBroadcast(p) && p.trigger.timezone === 'contact');
  if (local.length === 0) return [];
  const rows = await database.db.transaction((tx) =>
    countAudiencesByZone(
      tx,
      local.map((p) => recipientsSql(recipientConditions(p, now))),
    ),
  );
  const zone = project.calendar.timezone;
  const zoneless = rows.filter((r) => !isValidZone(r.zone));
  return local.flatMap((plan, k) => {
    const n = zoneless.reduce((sum, r) => sum + r.counts[k]!, 0);
    if (n === 0) return [];
    const invalid = zoneless.some((r) => r.zone !== null && r.counts[k]! > 0);
    const minutes = triggerMinutes(plan.trigger);
    const when = minutes?.length === 1 ? `at ${clockTime(minutes[0]!)} in ${zone}` : `on ${zone}'s clock`;
    return [
      {
        kind: 'contacts_without_zone' as const,
        campaign: plan.id,
        step: firstSends(plan.steps)[0]?.step.key ?? null,
        message:
          `${n} contact${n === 1 ? '' : 's'} it reaches ${n === 1 ? 'has' : 'have'} no time zone${invalid ? ' (or one that is not an IANA zone)' : ''}: ` +
          `${n === 1 ? 'it gets' : 'they get'} it ${when}, the calendar's zone, and quiet hours are read there too (set contact.timezone)`,
      },
    ];
  });
}

/** A campaign whose every forecast send, on two days or more, is moved from its time (unless a static warning already says why). */
function deferredWarnings(after: ForecastRow[], project: Project, fixed: PlanWarning[]): PlanWarning[] {
  const explained = new Set(fixed.filter((w) => w.kind !== 'unreachable_step' && w.kind !== 'arm_never_holds').map((w) => w.campaign));
  return project.campaigns.flatMap((plan) => {
    const rows = after.filter((r) => r.campaign === plan.id);
    const sends = rows.reduce((n, r) => n + r.sends, 0);
    const days = new Set(rows.map((r) => r.date)).size;
    if (explained.has(plan.id) || days < 2 || rows.some((r) => r.deferred < r.sends)) return [];
    const firsts = firstSends(plan.steps);
    return [
      {
        kind: 'always_deferred' as const,
        campaign: plan.id,
        step: firsts.length === 1 ? firsts[0]!.step.key : null,
        message: `every one of its ${sends} forecast sends (on ${days} days) goes later than due: quiet hours, a blackout or a frequency cap holds each of them`,
      },
    ];
  });
}
