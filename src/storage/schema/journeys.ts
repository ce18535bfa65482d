import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns';
import { contacts } from './people';

/**
 * One row per applied version of a campaigns-folder file. `kind` 'campaign': `campaign` is its id
 * and `plan` the compiled CampaignPlan; 'calendar' / 'segments': calendar.yaml / segments.yaml,
 * compiled (`campaign` is then `calendar` / `segments`), so every process reads the same rules
 * from the database rather than from files.
 */
export const campaignVersions = pgTable(
  'campaign_versions',
  {
    id: id(),
    kind: text('kind').$type<'campaign' | 'calendar' | 'segments'>().notNull().default('campaign'),
    campaign: text('campaign').notNull(),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    source: text('source').notNull(),
    plan: jsonb('plan').notNull(),
    createdAt: createdAt(),
    /** Set when the campaign's file was removed; its runs finish, no new ones start. */
    retiredAt: at('retired_at'),
  },
  (t) => [
    uniqueIndex('campaign_versions_campaign_version_key').on(t.kind, t.campaign, t.version),
    index('campaign_versions_campaign_hash_idx').on(t.campaign, t.contentHash),
  ],
);

/**
 * One row per applied version of a file under templates/ (`path` relative to it, with `/`):
 * `apply` stores each added or changed file, and a removal as a row whose `content` is null, so
 * the history is append-only and `max(id)` says whether anything changed. Senders (the Worker
 * always, Node once anything was applied) render from the newest row of each path.
 */
export const templateFiles = pgTable(
  'template_files',
  {
    id: id(),
    path: text('path').notNull(),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    /** Null: the file was removed in this version. */
    content: text('content'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('template_files_path_version_key').on(t.path, t.version)],
);

export type RunStatus = 'active' | 'completed' | 'exited' | 'failed' | 'holdout';

/**
 * A contact's journey through one campaign version. `entry_key` makes entry idempotent (the
 * triggering event's dedupe key, or the broadcast occurrence), `next_wake_at` is when the
 * scheduler must step it next, and the lease columns make a claim exclusive.
 */
export const runs = pgTable(
  'runs',
  {
    id: id(),
    campaignVersionId: ref('campaign_version_id')
      .notNull()
      .references(() => campaignVersions.id),
    campaign: text('campaign').notNull(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    entryKey: text('entry_key').notNull(),
    correlationKey: text('correlation_key'),
    state: jsonb('state').notNull(),
    status: text('status').$type<RunStatus>().notNull().default('active'),
    nextWakeAt: at('next_wake_at'),
    leaseUntil: at('lease_until'),
    leaseOwner: text('lease_owner'),
    attempts: integer('attempts').notNull().default(0),
    exitReason: text('exit_reason'),
    startedAt: at('started_at').notNull(),
    endedAt: at('ended_at'),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('runs_campaign_contact_entry_key').on(t.campaign, t.contactId, t.entryKey),
    // (next_wake_at, id): the claim's own order (src/storage/runs.ts), so a claim of 500 reads 500
    // index entries even when a broadcast wakes a million runs at one instant (with next_wake_at
    // alone it read and sorted every due run, each claim: N²/500 for N runs due together).
    index('runs_due_idx')
      .on(t.nextWakeAt, t.id)
      .where(sql`status = 'active'`),
    index('runs_contact_campaign_idx').on(t.contactId, t.campaign, t.status),
    index('runs_correlation_idx')
      .on(t.contactId, t.correlationKey)
      .where(sql`status = 'active'`),
  ],
);

/**
 * `queued`/`deferred` wait to be claimed; `sending` is claimed; `sent`, `failed`, `suppressed`,
 * `unknown` (the provider may have it) and `cancelled` (its run ended first) are final.
 */
export type SendStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown' | 'suppressed' | 'deferred' | 'cancelled';

/**
 * One message a run asked for, recorded in the same transaction as the step that caused it.
 * `unique(run_id, step_key)` is the exactly-once guarantee: no contact gets the same step twice.
 */
export const sends = pgTable(
  'sends',
  {
    id: id(),
    runId: ref('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    stepKey: text('step_key').notNull(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    campaign: text('campaign').notNull(),
    campaignVersionId: ref('campaign_version_id')
      .notNull()
      .references(() => campaignVersions.id),
    template: text('template').notNull(),
    purpose: text('purpose').notNull(),
    priority: integer('priority').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').$type<SendStatus>().notNull().default('queued'),
    reason: text('reason'),
    attempts: integer('attempts').notNull().default(0),
    notBefore: at('not_before').notNull().defaultNow(),
    leaseUntil: at('lease_until'),
    providerMessageId: text('provider_message_id'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: at('sent_at'),
    settledAt: at('settled_at'),
    /**
     * When the gate let it through frequency caps, under a lock on the contact: caps count
     * approved sends, so two dispatchers can never both take a contact's last slot.
     */
    approvedAt: at('approved_at'),
    /**
     * When this claim handed the message to a transport that may deliver it outside our
     * transaction (SES): stamped just before the provider call, cleared by every claim. A lease
     * that expires with it unset proves nothing left, so the send goes back to the queue; with it
     * set the send becomes `unknown` and is never sent again.
     */
    handedAt: at('handed_at'),
    /**
     * The send's first human click / open, set once (`where … is null`) by the tracking recorder
     * in the transaction that stores the click or open (src/storage/engagement.ts): unique
     * clicks and opens are sends whose first human touch fell in a day, never a count(distinct).
     */
    firstHumanClickAt: at('first_human_click_at'),
    firstHumanOpenAt: at('first_human_open_at'),
  },
  (t) => [
    uniqueIndex('sends_run_step_key').on(t.runId, t.stepKey),
    index('sends_contact_approved_idx').on(t.contactId, t.approvedAt),
    index('sends_due_idx')
      .on(t.notBefore)
      .where(sql`status in ('queued', 'deferred')`),
    index('sends_contact_sent_idx').on(t.contactId, t.sentAt),
    // The complaint-rate guard counts marketing sends by `sent_at` every tick (src/storage/complaint-rate.ts).
    index('sends_sent_at_idx')
      .on(t.sentAt, t.purpose)
      .where(sql`sent_at is not null`),
    index('sends_provider_message_idx').on(t.providerMessageId),
    // A campaign report's sends by status and recipients: index-only over one campaign (src/storage/reports.ts).
    index('sends_campaign_status_idx').on(t.campaign, t.status, t.createdAt, t.contactId),
  ],
);

/**
 * Who entered a campaign, per arm: one row per (campaign, contact, held out or not) with the first
 * run's start, kept in step with `runs` in the transaction that starts or holds out runs
 * (src/storage/runs.ts insertRuns, src/storage/broadcasts.ts fanOutRuns and markHoldout, through
 * enterCampaigns and refreshCampaignEntries in src/storage/engagement.ts). The holdout lift reads it instead of
 * grouping every run of the campaign; `almanac attribution recompute` rebuilds it from runs.
 */
export const campaignEntries = pgTable(
  'campaign_entries',
  {
    campaign: text('campaign').notNull(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    heldOut: boolean('held_out').notNull(),
    enteredAt: at('entered_at').notNull(),
  },
  // By contact too: the attribution phase finds a buying contact's entries, an erasure's cascade its rows.
  (t) => [primaryKey({ columns: [t.campaign, t.heldOut, t.contactId] }), index('campaign_entries_contact_idx').on(t.contactId)],
);

/** Each provider call for a send, kept for the operator: when, what came back. */
export const sendAttempts = pgTable(
  'send_attempts',
  {
    id: id(),
    sendId: ref('send_id')
      .notNull()
      .references(() => sends.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    outcome: text('outcome').notNull(),
    error: text('error'),
    startedAt: at('started_at').notNull(),
    finishedAt: at('finished_at'),
  },
  (t) => [uniqueIndex('send_attempts_send_attempt_key').on(t.sendId, t.attempt)],
);

/** The `outbox` transport's store: the whole message, for development without SES. */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: id(),
    sendId: ref('send_id').references(() => sends.id, { onDelete: 'set null' }),
    messageId: text('message_id').notNull(),
    to: text('to').notNull(),
    from: text('from').notNull(),
    subject: text('subject').notNull(),
    raw: text('raw').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('outbox_messages_message_id_key').on(t.messageId), index('outbox_messages_created_idx').on(t.createdAt)],
);

/** Token buckets shared by every process (the SES send rate), updated with one statement. */
export const rateLimiters = pgTable('rate_limiters', {
  name: text('name').primaryKey(),
  tokens: doublePrecision('tokens').notNull(),
  updatedAt: at('updated_at').notNull(),
});

/** Operator-visible switches shared by every process, e.g. `dispatch.paused` with the reason. */
export const runtimeFlags = pgTable('runtime_flags', {
  name: text('name').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/**
 * A trigger that matched an event but started no run because the event was too old when it
 * arrived (older than the trigger's `within`): counted and shown (simulate's timeline), never silent.
 */
export const triggerSkips = pgTable(
  'trigger_skips',
  {
    id: id(),
    campaign: text('campaign').notNull(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    eventId: ref('event_id').notNull(),
    reason: text('reason').notNull(),
    skippedAt: at('skipped_at').notNull(),
  },
  (t) => [uniqueIndex('trigger_skips_campaign_event_key').on(t.campaign, t.eventId)],
);
