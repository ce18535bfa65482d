import { exitWords, reasonWords } from '../calendar/reason-words';
import { conditionWords } from '../campaigns/words';
import type { CampaignPlan } from '../dsl/plan';
import type { Tx } from '../storage/db';
import { latestCalendarPlan } from '../storage/campaign-versions';
import { readContactZones, readTimelineRuns, readTimelineSends, readTimelineSkips } from '../storage/timeline';
import { webhookEntries } from './webhook-entries';
import { cmp, iso, localTime } from './local-time';
import { explainRefusals } from './refusals';
import { stepLabeller } from './step-labels';
import { audienceWords } from './why-not';

export { localTime } from './local-time';

/**
 * What a line of the timeline says happened. Entries and refusals of a campaign (`entered`,
 * `holdout`, `skipped`), a send's outcome (`sent` … `cancelled`, the sends table's statuses; a
 * webhook call's too, `would_call` standing for the call a simulation does not make), a
 * run's end (`completed`, `exited`), and a run still going when the clock stopped (`running`).
 * A new kind of step outcome joins this list and `STEP_RANK`; formats and summaries print and
 * count any outcome they do not know by its name.
 */
export type TimelineOutcome =
  | 'entered'
  | 'holdout'
  | 'skipped'
  | 'sent'
  | 'queued'
  | 'sending'
  | 'deferred'
  | 'suppressed'
  | 'failed'
  | 'unknown'
  | 'cancelled'
  /** A `webhook` step's call, gated and rendered but never made by a simulation (`detail`: what would be posted). */
  | 'would_call'
  | 'completed'
  | 'exited'
  | 'running';

/** One line of a simulation's timeline. */
export interface TimelineEntry {
  /** UTC, ISO 8601. */
  time: string;
  /** The same instant in the contact's zone (else the calendar's): `Tue 2026-11-24 10:00 Europe/Warsaw`. */
  local: string;
  contact: string;
  campaign: string;
  /** Step key, or `-` for entering and leaving a campaign. */
  step: string;
  /** The step as a person reads it: its `id:`, else what it does (`send cart-reminder`); `-` for entries and exits. */
  label: string;
  outcome: TimelineOutcome;
  /** What happened, in words (why it was held, why the run ended, why nothing started). */
  detail: string;
  /** The stored reason behind `detail` (`exit_on:order.created`, `cap:any:1/1d`, `audience`), where there is one. */
  reason?: string;
  /** On a send: the gate held (deferred) it at least once, whatever became of it. */
  held?: true;
}

/** Same instant, contact and campaign: entries and refusals, then steps, then ends. Outcomes not listed rank as steps. */
const STEP_RANK: Partial<Record<TimelineOutcome, number>> = { entered: 0, holdout: 0, skipped: 0, exited: 2, completed: 2, running: 3 };
const rank = (o: TimelineOutcome) => STEP_RANK[o] ?? 1;

/** The order every format prints: time, contact, campaign, then entry < step < end, then step key. */
export function sortTimeline<T extends Pick<TimelineEntry, 'time' | 'contact' | 'campaign' | 'outcome' | 'step'>>(entries: T[]): T[] {
  return entries.sort(
    (a, b) =>
      cmp(a.time, b.time) ||
      cmp(a.contact, b.contact) ||
      cmp(a.campaign, b.campaign) ||
      rank(a.outcome) - rank(b.outcome) ||
      cmp(a.step, b.step),
  );
}

/** `held out for lift (holdout: 10%): a run is recorded, no email goes out`. */
export const holdoutWords = (plan: CampaignPlan | undefined) =>
  `held out for lift${plan ? ` (holdout: ${plan.holdoutPercent}%)` : ''}: a run is recorded, no email goes out`;

/** The calendar's zone, for contacts without one of their own. */
export async function contactZones(tx: Tx): Promise<(contact: string) => string> {
  const zones = await readContactZones(tx);
  const calendarZone = (await latestCalendarPlan(tx))?.timezone ?? 'UTC';
  return (contact) => zones.get(contact) ?? calendarZone;
}

/**
 * What happened, from the tables: every run's entry and end (why it ended, in words), every
 * trigger that started nothing (a stale event, the audience — naming the part that failed, such
 * as missing consent —, the re-entry rule, a run already going for the same key), every send
 * with its outcome and the time it happened (a cancelled send says why: its run ended first), and
 * every webhook call (./webhook-entries.ts).
 * Sorted by sortTimeline, so the same simulation always prints the same bytes.
 */
export async function readTimeline(tx: Tx, campaigns: readonly CampaignPlan[] = []): Promise<TimelineEntry[]> {
  const labelOf = stepLabeller(campaigns);
  const plans = new Map(campaigns.map((c) => [c.id, c]));
  const runs = await readTimelineRuns(tx);
  const sends = await readTimelineSends(tx);
  const zoneOf = await contactZones(tx);
  const out: Array<Omit<TimelineEntry, 'local'>> = [];
  const skips = await readTimelineSkips(tx);
  // The audience refusals say which part failed (no consent, a missing attribute), as it stood then.
  const audienceOf = (campaign: string) => plans.get(campaign)?.audience;
  const refused = await explainRefusals(
    tx,
    skips.flatMap((k) => {
      const condition = k.reason === 'audience' ? audienceOf(k.campaign) : undefined;
      return condition
        ? [{ contactId: k.contact_id, at: new Date(k.skipped_at), condition, ...(k.properties ? { trigger: k.properties } : {}) }]
        : [];
    }),
  );
  let nextRefusal = 0;
  for (const k of skips) {
    const audience = k.reason === 'audience' ? audienceOf(k.campaign) : undefined;
    const why = audience ? refused[nextRefusal++] : undefined;
    // A campaign without `correlate` runs once at a time per contact: say so rather than name a key it has not.
    const uncorrelated =
      k.reason === 'already_running' && plans.get(k.campaign)?.trigger.kind === 'event' && !correlates(plans.get(k.campaign)!);
    const detail = why
      ? `not entered: ${audienceWords(why)}`
      : uncorrelated
        ? 'not entered: a run of this campaign is in flight for this contact'
        : `${reasonWords(k.reason)}${audience ? ` (${conditionWords(audience)})` : ''}`;
    out.push({
      time: iso(k.skipped_at),
      contact: k.contact,
      campaign: k.campaign,
      step: '-',
      label: '-',
      outcome: 'skipped',
      detail,
      reason: k.reason,
    });
  }
  for (const r of runs) {
    // Broadcasts say which local occurrence, and when the contact had no usable zone of its own.
    // (`zone` is the trigger's own IANA zone, or `contact`: each contact's own, else the calendar's.)
    const zone = r.zone === 'contact' ? (r.own_zone ?? 'in the calendar zone (contact has none)') : (r.zone ?? '');
    const occurrence = r.occurrence ? `occurrence ${r.occurrence} ${zone}`.trim() : '';
    const holdout = r.status === 'holdout';
    const base = { contact: r.contact, campaign: r.campaign, step: '-', label: '-' };
    out.push({
      ...base,
      time: iso(r.started_at),
      outcome: holdout ? 'holdout' : 'entered',
      detail: holdout ? [occurrence, holdoutWords(plans.get(r.campaign))].filter(Boolean).join(': ') : occurrence,
    });
    if (r.ended_at && !holdout) {
      const reason = r.status === 'completed' ? 'completed' : (r.exit_reason ?? r.status);
      out.push({
        ...base,
        time: iso(r.ended_at),
        outcome: r.status === 'completed' ? 'completed' : 'exited',
        detail: endWords(r.status, r.exit_reason, plans.get(r.campaign)),
        reason,
      });
    }
  }
  for (const s of sends) {
    const why = s.reason ? reasonWords(s.reason) : undefined;
    const zone = zoneOf(s.contact);
    const detail =
      s.status === 'deferred'
        ? `${s.template} held until ${localTime(s.not_before, zone)}${why ? ` (${why})` : ''}`
        : s.status === 'sent' && why
          ? `${s.template} (held since ${localTime(s.created_at, zone)}: ${why})`
          : `${s.template}${why ? ` (${why})` : ''}`;
    out.push({
      time: iso(s.at),
      contact: s.contact,
      campaign: s.campaign,
      step: s.step_key,
      label: labelOf(s.campaign, s.step_key),
      outcome: s.status as TimelineOutcome,
      detail,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.held ? { held: true as const } : {}),
    });
  }
  out.push(...(await webhookEntries(tx, labelOf, (contact, at) => localTime(at, zoneOf(contact)))));
  return sortTimeline(out.map((e) => orderedEntry({ ...e, local: localTime(e.time, zoneOf(e.contact)) })));
}

/** The entry with its keys in the documented order (JSON output is byte-stable and reads top-down). */
export function orderedEntry(e: TimelineEntry): TimelineEntry {
  return {
    time: e.time,
    local: e.local,
    contact: e.contact,
    campaign: e.campaign,
    step: e.step,
    label: e.label,
    outcome: e.outcome,
    detail: e.detail,
    ...(e.reason === undefined ? {} : { reason: e.reason }),
    ...(e.held ? { held: e.held } : {}),
  };
}

/**
 * Why a run ended: `reached the end of its steps`, `left: order.created happened (exit_on; the
 * campaign's goal)`, `ended at an exit step`, `failed: …`. A goal by itself ends nothing (it is
 * what reports attribute); a run leaves on its goal when `exit_on` names that event too.
 */
export function endWords(status: string, exitReason: string | null, plan?: CampaignPlan): string {
  if (status === 'completed') return 'reached the end of its steps';
  const words = exitReason ? exitWords(exitReason) : '';
  const goal =
    plan?.goal && exitReason === `exit_on:${plan.goal.event}` ? words.replace(/\(exit_on\)$/, "(exit_on; the campaign's goal)") : words;
  return `${status === 'failed' ? 'failed: ' : ''}${goal}`;
}

const correlates = (p: CampaignPlan): boolean => p.trigger.kind === 'event' && p.trigger.correlate !== undefined;
