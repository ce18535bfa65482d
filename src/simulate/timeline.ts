import { exitWords, reasonWords } from '../calendar/reason-words';
import { conditionWords } from '../campaigns/words';
import type { CampaignPlan } from '../dsl/plan';
import { describeStep, walkSteps } from '../dsl/walk';
import type { Tx } from '../storage/db';
import { latestCalendarPlan } from '../storage/campaign-versions';
import { readContactZones, readTimelineRuns, readTimelineSends, readTimelineSkips } from '../storage/timeline';
import { webhookEntries } from './webhook-entries';

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
  outcome:
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
    /** A `webhook` step's call the simulation made up to the request and did not send (`detail`: what would be posted). */
    | 'would_call'
    | 'completed'
    | 'exited';
  detail: string;
}

const order: Record<TimelineEntry['outcome'], number> = {
  entered: 0,
  holdout: 0,
  skipped: 0,
  queued: 1,
  sending: 1,
  deferred: 1,
  sent: 1,
  suppressed: 1,
  failed: 1,
  unknown: 1,
  cancelled: 1,
  would_call: 1,
  exited: 2,
  completed: 2,
};

const iso = (d: string | Date) => new Date(d).toISOString().replace('.000Z', 'Z');

/** `Tue 2026-11-24 10:00 Europe/Warsaw`: what a marketer reads (the contact's clock). */
export function localTime(at: string | Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zone}`;
}

/**
 * What happened, from the tables: every run's entry and end, every trigger skipped for a stale
 * event, every send with its outcome and the time it happened (a cancelled send says why: its
 * run ended first). Sorted by time, contact, campaign, then entry < send < exit and step key,
 * so the same simulation always prints the same bytes.
 */
export async function readTimeline(tx: Tx, campaigns: readonly CampaignPlan[] = []): Promise<TimelineEntry[]> {
  // Keys that are paths (`steps[2].on_timeout[0]…`) read as what the step does; an author's id as it is.
  const labels = new Map(campaigns.map((c) => [c.id, new Map([...walkSteps(c.steps)].map((s) => [s.key, describeStep(s)]))]));
  const plans = new Map(campaigns.map((c) => [c.id, c]));
  const labelOf = (campaign: string, key: string) =>
    key === '-' || !key.startsWith('steps[') ? key : (labels.get(campaign)?.get(key) ?? key);
  const runs = await readTimelineRuns(tx);
  const sends = await readTimelineSends(tx);
  const zones = await readContactZones(tx);
  const calendarZone = (await latestCalendarPlan(tx))?.timezone ?? 'UTC';
  const zoneOf = (contact: string) => zones.get(contact) ?? calendarZone;
  const out: Array<Omit<TimelineEntry, 'local'>> = [];
  for (const k of await readTimelineSkips(tx)) {
    // A trigger that started nothing says why: a stale event, or the audience (with the condition), the re-entry rule….
    const audience = k.reason === 'audience' ? plans.get(k.campaign)?.audience : undefined;
    out.push({
      time: iso(k.skipped_at),
      contact: k.contact,
      campaign: k.campaign,
      step: '-',
      label: '-',
      outcome: 'skipped',
      detail: `${reasonWords(k.reason)}${audience ? ` (${conditionWords(audience)})` : ''}`,
    });
  }
  for (const r of runs) {
    // Broadcasts say which local occurrence, and when the contact had no usable zone of its own.
    // (`zone` is the trigger's own IANA zone, or `contact`: each contact's own, else the calendar's.)
    const zone = r.zone === 'contact' ? (r.own_zone ?? 'in the calendar zone (contact has none)') : (r.zone ?? '');
    const detail = r.occurrence ? `occurrence ${r.occurrence} ${zone}`.trim() : '';
    out.push({
      time: iso(r.started_at),
      contact: r.contact,
      campaign: r.campaign,
      step: '-',
      label: '-',
      outcome: r.status === 'holdout' ? 'holdout' : 'entered',
      detail,
    });
    if (r.ended_at && r.status !== 'holdout') {
      out.push({
        time: iso(r.ended_at),
        contact: r.contact,
        campaign: r.campaign,
        step: '-',
        label: '-',
        outcome: r.status === 'completed' ? 'completed' : 'exited',
        detail:
          r.status === 'completed' ? '' : `${r.status === 'failed' ? 'failed: ' : ''}${r.exit_reason ? exitWords(r.exit_reason) : ''}`,
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
      outcome: s.status as TimelineEntry['outcome'],
      detail,
    });
  }
  out.push(...(await webhookEntries(tx, labelOf, (contact, at) => localTime(at, zoneOf(contact)))));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out
    .map((e) => ({ ...e, local: localTime(e.time, zoneOf(e.contact)) }))
    .sort(
      (a, b) =>
        cmp(a.time, b.time) ||
        cmp(a.contact, b.contact) ||
        cmp(a.campaign, b.campaign) ||
        order[a.outcome] - order[b.outcome] ||
        cmp(a.step, b.step),
    );
}

/** Fixed-width text: `time  contact  campaign  step  outcome detail` (times on the contact's clock, the step by its label). */
export function formatTimeline(entries: TimelineEntry[]): string {
  const head = {
    time: '',
    local: 'time (the contact’s)',
    contact: 'contact',
    campaign: 'campaign',
    step: 'step',
    label: 'step',
    outcome: 'outcome',
    detail: '',
  };
  const rows = [head, ...entries];
  const w = (k: 'local' | 'contact' | 'campaign' | 'label') => Math.max(...rows.map((r) => r[k].length));
  const [wt, wc, wk, ws] = [w('local'), w('contact'), w('campaign'), w('label')];
  return `${rows
    .map((r) =>
      `${r.local.padEnd(wt)}  ${r.contact.padEnd(wc)}  ${r.campaign.padEnd(wk)}  ${r.label.padEnd(ws)}  ${r.outcome}${r.detail ? ` ${r.detail}` : ''}`.trimEnd(),
    )
    .join('\n')}\n`;
}
