import { hashAddress } from '../consent/address-hash';
import { identifiersForRef } from '../contacts/identifiers';
import type { Database } from '../storage/db';
import { contactByRef, readTimelineData, TIMELINE_ROWS_MAX, type TimelineData } from '../storage/contact-timeline';
import { webhookCallsByRun, webhookEntry } from './contact-timeline-webhooks';

/**
 * A contact's timeline (`GET /v1/contacts/:id/timeline`, the `/contacts/:id` page, `almanac
 * contact show ID`): the profile, lifecycle stage and analytics, the consent ledger,
 * suppressions, events, runs with every send and webhook call, clicks, opens and orders with the campaigns each
 * attribution model credited — and all of it merged into one list of entries in time order,
 * which is how a marketer answers "why did this person get this mail?": each send entry names
 * its campaign, run, step and the event that started the run, and, when it was held, suppressed,
 * failed or cancelled, why. Read in one transaction, one statement per kind of row (SQL in
 * src/storage/contact-timeline.ts); this module only shapes. Times are ISO 8601 UTC.
 */

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const num = (x: string | number | null | undefined) => (x === null || x === undefined ? null : Number(x));

type ContactRow = NonNullable<Awaited<ReturnType<typeof contactByRef>>>;

export interface TimelineEntry {
  at: string;
  kind:
    | 'contact'
    | 'merge'
    | 'consent'
    | 'suppression'
    | 'event'
    | 'run_started'
    | 'run_ended'
    | 'send'
    | 'webhook'
    | 'click'
    | 'open'
    | 'order'
    | 'stage';
  /** One line saying what happened. */
  summary: string;
  campaign?: string;
  run_id?: number;
  send_id?: number;
  order_id?: number;
  /** Sends: the campaign, run, step and trigger event that caused it, and why it was held or stopped. */
  why?: string;
}

/** Scalar properties a reader recognises an event by (ids, totals, purposes), at most six. */
const KEY_PROPERTIES = ['checkout_id', 'order_id', 'total', 'currency', 'purpose', 'url', 'campaign', 'template', 'reason', 'amount'];
export function keyProperties(p: Record<string, unknown>): Record<string, string | number | boolean> {
  const scalar = (v: unknown): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v);
  const keys = [...KEY_PROPERTIES.filter((k) => k in p), ...Object.keys(p).filter((k) => !KEY_PROPERTIES.includes(k))];
  const out: Record<string, string | number | boolean> = {};
  for (const k of keys) {
    if (Object.keys(out).length >= 6) break;
    const v = p[k];
    if (scalar(v)) out[k] = typeof v === 'string' && v.length > 120 ? `${v.slice(0, 119)}…` : v;
  }
  return out;
}

const STATUS_WORD: Record<string, string> = {
  queued: 'queued',
  sending: 'being sent',
  sent: 'sent',
  deferred: 'held',
  suppressed: 'suppressed',
  failed: 'failed',
  cancelled: 'cancelled',
  unknown: 'in doubt (provider did not answer)',
};

export async function contactTimeline(database: Database, ref: string, o: { suppressionKey?: string } = {}) {
  return database.db.transaction(async (tx) => {
    const contact = await contactByRef(tx, ref, identifiersForRef(ref));
    if (!contact) return undefined;
    const hash = contact.email && o.suppressionKey ? hashAddress(contact.email, o.suppressionKey) : undefined;
    return shapeTimeline(contact, await readTimelineData(tx, contact.id, hash), { suppressionsChecked: hash !== undefined });
  });
}

export type ContactTimeline = ReturnType<typeof shapeTimeline>;

export function shapeTimeline(c: ContactRow, d: TimelineData, o: { suppressionsChecked: boolean }) {
  const events = d.events.map((e) => ({
    id: e.id,
    type: e.type,
    occurred_at: iso(e.occurredAt)!,
    source: e.source,
    properties: keyProperties(e.properties),
  }));
  const eventById = new Map(events.map((e) => [e.id, e]));
  const sendsOf = new Map<number, TimelineData['sends']>();
  for (const s of d.sends) sendsOf.set(s.runId, [...(sendsOf.get(s.runId) ?? []), s]);
  const callsOf = webhookCallsByRun(d.webhookCalls);
  const runs = d.runs.map((r) => {
    const triggerId = num(r.triggerEventId);
    const trigger = triggerId === null ? undefined : eventById.get(triggerId);
    return {
      id: r.id,
      campaign: r.campaign,
      version: r.version,
      status: r.status,
      exit_reason: r.exitReason,
      started_at: iso(r.startedAt)!,
      ended_at: iso(r.endedAt),
      next_wake_at: iso(r.nextWakeAt),
      current_step: r.at,
      phase: r.phase,
      correlation_key: r.correlationKey,
      trigger: {
        type: r.triggerType,
        occurred_at: r.triggerAt,
        event_id: triggerId,
        ...(trigger ? { properties: trigger.properties } : {}),
        entry_key: r.entryKey,
      },
      sends: (sendsOf.get(r.id) ?? []).map((s) => ({
        id: s.id,
        step: s.stepKey,
        template: s.template,
        purpose: s.purpose,
        status: s.status,
        reason: s.reason ?? (s.status === 'failed' ? s.lastError : null),
        attempts: s.attempts,
        not_before: iso(s.notBefore),
        created_at: iso(s.createdAt)!,
        sent_at: iso(s.sentAt),
        settled_at: iso(s.settledAt),
      })),
      /** The run's `webhook` steps' calls (src/scheduler/webhooks-phase.ts). */
      webhooks: callsOf.get(r.id) ?? [],
    };
  });
  const campaignOfSend = new Map(d.sends.map((s) => [s.id, s.campaign]));
  const credits = new Map<number, TimelineData['attributions']>();
  for (const a of d.attributions) credits.set(a.orderId, [...(credits.get(a.orderId) ?? []), a]);
  const orders = d.orders.map((x) => ({
    id: x.id,
    order_id: x.orderId,
    source: x.source,
    checkout_id: x.checkoutId,
    total: Number(x.total),
    refunded: Number(x.refunded),
    currency: x.currency,
    occurred_at: iso(x.occurredAt)!,
    credited: (credits.get(x.id) ?? []).map((a) => ({
      model: a.model,
      campaign: a.campaign,
      send_id: a.sendId,
      touch: a.touch,
      weight: Number(a.weight),
      revenue: Number(a.revenue),
    })),
  }));
  const clicks = d.clicks.map((k) => ({
    at: iso(k.clickedAt)!,
    url: k.url,
    send_id: k.sendId,
    campaign: k.sendId === null ? null : (campaignOfSend.get(k.sendId) ?? null),
    bot: k.isBot,
    bot_reason: k.botReason,
  }));
  const opens = d.opens.map((x) => ({
    at: iso(x.openedAt)!,
    send_id: x.sendId,
    campaign: campaignOfSend.get(x.sendId) ?? null,
    machine: x.isBot,
    reason: x.botReason,
  }));
  const consent = d.consent.map((r) => ({
    purpose: r.purpose,
    state: r.pending ? 'pending' : r.granted ? 'granted' : 'withdrawn',
    text: r.text,
    text_version: r.textVersion,
    source: r.source,
    occurred_at: iso(r.occurredAt)!,
  }));
  const suppressions = d.suppressions.map((s) => ({ reason: s.reason, source: s.source, scope: s.scope, created_at: iso(s.createdAt)! }));
  const m = d.customer;
  const attrs = c.attributes ?? {};
  const phone = typeof attrs.phone === 'string' ? attrs.phone : null;
  const truncated = (['consent', 'events', 'runs', 'sends', 'webhookCalls', 'clicks', 'opens', 'orders'] as const).filter(
    (k) => d[k].length >= TIMELINE_ROWS_MAX,
  );
  const timeline = {
    contact: {
      contact_id: c.id,
      id: c.externalId,
      email: c.email,
      phone,
      timezone: c.timezone,
      /** explicit, address (guessed from a postal address), default (none known: the calendar's zone applies). */
      timezone_source: c.timezoneSource ?? 'default',
      locale: c.locale,
      /** explicit, accept_language (the browser's), address (the country's language), default (none known). */
      locale_source: c.localeSource ?? 'default',
      attributes: attrs,
      created_at: iso(c.createdAt)!,
      updated_at: iso(c.updatedAt)!,
    },
    /** Every name the person is known by, strongest first, with who told us. */
    identifiers: d.identifiers.map((i) => ({ identifier: i.identifier, kind: i.kind, source: i.source, since: iso(i.createdAt)! })),
    /** Contacts merged into this one: which identifiers linked them, who and when, what moved (and whether reverted). */
    merges: d.merges.map((x) => ({
      merge_id: x.id,
      merged_contact_id: x.mergedId,
      merged_id: x.mergedExternalId,
      merged_email: x.mergedEmail,
      via: x.via,
      source: x.source,
      reason: x.reason,
      merged_at: iso(x.mergedAt)!,
      reverted_at: iso(x.revertedAt),
      moved: x.counts ?? {},
      collapsed_runs: x.collapsedRuns ?? [],
    })),
    lifecycle_stage: m?.stage ?? c.lifecycleStage,
    analytics: m
      ? {
          stage: m.stage,
          stage_since: iso(m.stageSince),
          orders: m.orders,
          revenue: Number(m.revenue),
          first_order_at: iso(m.firstOrderAt),
          last_order_at: iso(m.lastOrderAt),
          rfm: m.rfm,
          value: num(m.value),
          predicted: m.predicted,
          doc: m.doc,
          computed_at: iso(m.computedAt),
        }
      : null,
    segments: d.segments.map((s) => ({ segment: s.segment, entered_at: iso(s.enteredAt) })),
    consent,
    /** Null when SUPPRESSION_KEY is not configured (suppressions are found by the address's HMAC) or the contact has no email. */
    suppressions: o.suppressionsChecked ? suppressions : null,
    events,
    runs,
    clicks,
    opens,
    orders,
    /** Kinds with more than TIMELINE_ROWS_MAX rows: only the newest are shown. */
    truncated,
    entries: [] as TimelineEntry[],
  };
  timeline.entries = mergeEntries(timeline);
  return timeline;
}

type Shaped = Omit<ReturnType<typeof shapeTimeline>, 'entries'>;
type ShapedRun = Shaped['runs'][number];

const props = (p: Record<string, unknown>) =>
  Object.entries(p)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');

/** Why a run exists: its trigger event (or broadcast occurrence / segment change). */
export function runCause(r: ShapedRun): string {
  const t = r.trigger;
  const detail = t.properties && Object.keys(t.properties).length ? ` (${props(t.properties)})` : '';
  if (t.type) return `${t.type}${t.occurred_at ? ` at ${t.occurred_at}` : ''}${detail}`;
  return t.entry_key;
}

function sendWhy(r: ShapedRun, s: ShapedRun['sends'][number]): string {
  const base = `campaign ${r.campaign}${r.version === null ? '' : ` v${r.version}`}, run #${r.id}, step "${s.step}" (template ${s.template}, ${s.purpose}), started by ${runCause(r)}`;
  if (s.status === 'sent') return `${base}${s.reason ? `; held first: ${s.reason}` : ''}`;
  return `${base}; ${STATUS_WORD[s.status] ?? s.status}${s.reason ? `: ${s.reason}` : ''}${s.status === 'deferred' && s.not_before ? ` (until ${s.not_before})` : ''}`;
}

const KIND_ORDER: TimelineEntry['kind'][] = [
  'contact',
  'merge',
  'consent',
  'event',
  'run_started',
  'send',
  'webhook',
  'open',
  'click',
  'order',
  'run_ended',
  'suppression',
  'stage',
];

function mergeEntries(t: Shaped): TimelineEntry[] {
  const out: TimelineEntry[] = [{ at: t.contact.created_at, kind: 'contact', summary: 'contact created' }];
  for (const x of t.merges)
    out.push({
      at: x.merged_at,
      kind: 'merge',
      summary: `merged contact ${x.merged_id ?? x.merged_email ?? `#${x.merged_contact_id}`} into this one (merge ${x.merge_id}, ${x.source}): ${x.reason}${x.collapsed_runs.length ? `; ended its parallel run${x.collapsed_runs.length > 1 ? 's' : ''} #${x.collapsed_runs.join(', #')}` : ''}${x.reverted_at ? `; reverted ${x.reverted_at}` : ''}`,
    });
  for (const r of t.consent)
    out.push({
      at: r.occurred_at,
      kind: 'consent',
      summary: `consent ${r.state} for ${r.purpose} (source ${r.source}${r.text_version ? `, text ${r.text_version}` : ''})`,
    });
  for (const s of t.suppressions ?? [])
    out.push({ at: s.created_at, kind: 'suppression', summary: `address suppressed (${s.scope}): ${s.reason}, source ${s.source}` });
  for (const e of t.events) {
    const p = props(e.properties);
    out.push({ at: e.occurred_at, kind: 'event', summary: `event ${e.type}${p ? ` (${p})` : ''} from ${e.source}` });
  }
  for (const r of t.runs) {
    const name = `${r.campaign}${r.version === null ? '' : ` v${r.version}`}`;
    out.push({
      at: r.started_at,
      kind: 'run_started',
      campaign: r.campaign,
      run_id: r.id,
      summary: `${r.status === 'holdout' ? 'held out of' : 'entered'} ${name} (run #${r.id}), started by ${runCause(r)}`,
    });
    if (r.ended_at)
      out.push({
        at: r.ended_at,
        kind: 'run_ended',
        campaign: r.campaign,
        run_id: r.id,
        summary: `run #${r.id} of ${r.campaign} ${r.status}${r.exit_reason && r.exit_reason !== r.status ? `: ${r.exit_reason}` : ''}`,
      });
    for (const s of r.sends)
      out.push({
        at: s.sent_at ?? s.created_at,
        kind: 'send',
        campaign: r.campaign,
        run_id: r.id,
        send_id: s.id,
        summary: `${s.template} of ${r.campaign}: ${STATUS_WORD[s.status] ?? s.status}${s.reason ? ` (${s.reason})` : ''}`,
        why: sendWhy(r, s),
      });
    for (const w of r.webhooks) out.push(webhookEntry({ ...r, cause: runCause(r) }, w));
  }
  for (const k of t.clicks)
    out.push({
      at: k.at,
      kind: 'click',
      ...(k.campaign ? { campaign: k.campaign } : {}),
      ...(k.send_id === null ? {} : { send_id: k.send_id }),
      summary: `${k.bot ? 'bot click' : 'clicked'} ${k.url ?? '(link gone)'}${k.bot && k.bot_reason ? ` (${k.bot_reason})` : ''}`,
    });
  for (const x of t.opens)
    out.push({
      at: x.at,
      kind: 'open',
      ...(x.campaign ? { campaign: x.campaign } : {}),
      send_id: x.send_id,
      summary: `${x.machine ? 'machine open' : 'opened'}${x.campaign ? ` ${x.campaign}` : ''}${x.machine && x.reason ? ` (${x.reason})` : ''}`,
    });
  for (const x of t.orders) {
    const byModel = [...new Set(x.credited.map((a) => a.model))].map(
      (model) =>
        `${model}: ${x.credited
          .filter((a) => a.model === model)
          .map((a) => a.campaign)
          .join(', ')}`,
    );
    out.push({
      at: x.occurred_at,
      kind: 'order',
      order_id: x.id,
      summary: `order ${x.order_id}: ${x.total.toFixed(2)} ${x.currency}${x.refunded ? `, ${x.refunded.toFixed(2)} refunded` : ''}${byModel.length ? `; credited to ${byModel.join('; ')}` : '; no campaign credited'}`,
    });
  }
  if (t.analytics?.stage_since) out.push({ at: t.analytics.stage_since, kind: 'stage', summary: `lifecycle stage ${t.analytics.stage}` });
  return out.sort((a, b) => a.at.localeCompare(b.at) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}
