import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf } from './sql-values';

/**
 * The reads behind `almanac simulate`'s timeline (src/simulate/timeline.ts): every run with its
 * entry and end, every send with the time its outcome happened. Contacts are named by external
 * id, else email, else `#id`.
 */

const NAME = sql.raw(`coalesce(c.external_id, c.email, '#' || c.id)`);

export interface TimelineRunRow {
  contact_id: number;
  contact: string;
  campaign: string;
  status: string;
  exit_reason: string | null;
  started_at: string | Date;
  ended_at: string | Date | null;
  /** A broadcast's local occurrence and zone (`contact` or an IANA zone), from the run's trigger. */
  occurrence: string | null;
  zone: string | null;
  own_zone: string | null;
  /** Where an unfinished run stands (its state's `at`, `phase`, `wakeAt`). */
  at_step: string | null;
  phase: string | null;
  wake_at: string | null;
}

export async function readTimelineRuns(tx: Tx): Promise<TimelineRunRow[]> {
  const rows = rowsOf<TimelineRunRow>(
    await tx.execute(sql`
      select c.id as contact_id, ${NAME} as contact, r.campaign, r.status, r.exit_reason, r.started_at, r.ended_at,
        r.state->'trigger'->'properties'->>'occurrence' as occurrence, r.state->'trigger'->'properties'->>'zone' as zone,
        c.timezone as own_zone, r.state->>'at' as at_step, r.state->>'phase' as phase, r.state->>'wakeAt' as wake_at
      from runs r join contacts c on c.id = r.contact_id`),
  );
  return rows.map((r) => ({ ...r, contact_id: Number(r.contact_id) }));
}

export interface TimelineSendRow {
  contact: string;
  campaign: string;
  step_key: string;
  template: string;
  status: string;
  reason: string | null;
  /** When it went out or settled, else when it was queued. */
  at: string | Date;
  not_before: string | Date;
  created_at: string | Date;
  /** Deferred by the gate at least once (quiet hours, a blackout, a cap): its not_before moved past its queueing. */
  held: boolean;
}

export async function readTimelineSends(tx: Tx): Promise<TimelineSendRow[]> {
  return rowsOf<TimelineSendRow>(
    await tx.execute(sql`
      select ${NAME} as contact, s.campaign, s.step_key, s.template, s.status, s.reason,
        coalesce(s.sent_at, s.settled_at, s.created_at) as at, s.not_before, s.created_at,
        (s.status = 'deferred' or s.not_before > s.created_at) as held
      from sends s join contacts c on c.id = s.contact_id`),
  );
}

export interface TimelineWebhookRow {
  contact: string;
  campaign: string;
  step_key: string;
  url: string;
  status: string;
  reason: string | null;
  /** The body as rendered (null before the first hand-over). */
  body: string | null;
  /** When it was delivered or settled, else when it was queued. */
  at: string | Date;
  not_before: string | Date;
}

/** Every `webhook` step's call, for the timeline. */
export async function readTimelineWebhookCalls(tx: Tx): Promise<TimelineWebhookRow[]> {
  return rowsOf<TimelineWebhookRow>(
    await tx.execute(sql`
      select coalesce(c.external_id, c.email, '#' || c.id) as contact, w.campaign, w.step_key, w.url, w.status, w.reason, w.body,
        coalesce(w.delivered_at, w.settled_at, w.created_at) as at, w.not_before
      from webhook_calls w join runs r on r.id = w.run_id join contacts c on c.id = r.contact_id`),
  );
}

export interface TimelineSkipRow {
  contact_id: number;
  contact: string;
  campaign: string;
  reason: string;
  skipped_at: string | Date;
  /** The properties of the event that started nothing (null: the event is gone). */
  properties: Record<string, unknown> | null;
}

/** Triggers that matched an event and started no run: too old, outside the audience, the re-entry rule…. */
export async function readTimelineSkips(tx: Tx): Promise<TimelineSkipRow[]> {
  // jsonb as text: both drivers then hand back the same string to parse.
  const rows = rowsOf<Omit<TimelineSkipRow, 'properties'> & { properties: string | null }>(
    await tx.execute(sql`
      select c.id as contact_id, ${NAME} as contact, k.campaign, k.reason, k.skipped_at, e.properties::text as properties
      from trigger_skips k join contacts c on c.id = k.contact_id left join events e on e.id = k.event_id`),
  );
  return rows.map((r) => ({
    ...r,
    contact_id: Number(r.contact_id),
    properties: r.properties === null ? null : (JSON.parse(r.properties) as Record<string, unknown>),
  }));
}

/** Each contact's own zone (null: none), by the name the timeline gives it. */
export async function readContactZones(tx: Tx): Promise<Map<string, string | null>> {
  const rows = rowsOf<{ contact: string; timezone: string | null }>(
    await tx.execute(sql`select ${NAME} as contact, c.timezone from contacts c`),
  );
  return new Map(rows.map((r) => [r.contact, r.timezone]));
}
