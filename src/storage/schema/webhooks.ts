import { sql } from 'drizzle-orm';
import { integer, jsonb, pgTable, text, uniqueIndex, index } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns';
import { campaignVersions, runs } from './journeys';

/**
 * `queued`/`deferred` wait to be claimed; `calling` is claimed (a lease); `delivered` (2xx),
 * `failed` (refused with a 4xx, gave up, or could not be made), `suppressed` (the gate: no
 * consent) and `cancelled` (its run ended first) are final.
 */
export type WebhookCallStatus = 'queued' | 'calling' | 'delivered' | 'failed' | 'suppressed' | 'deferred' | 'cancelled';

/**
 * One outbound call a run's `webhook` step asked for, recorded in the transaction of the step,
 * like a send. `unique(run_id, step_key)` is the exactly-once point; `webhook_id` is the
 * Standard Webhooks `webhook-id` of every attempt of the call, the receiver's idempotency key.
 * The contact is the run's (no column of its own: a contact merge moves the run, and the call
 * with it; an erasure deletes the run, and the call with it).
 */
export const webhookCalls = pgTable(
  'webhook_calls',
  {
    id: id(),
    runId: ref('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    stepKey: text('step_key').notNull(),
    campaign: text('campaign').notNull(),
    campaignVersionId: ref('campaign_version_id')
      .notNull()
      .references(() => campaignVersions.id),
    purpose: text('purpose').notNull(),
    webhookId: text('webhook_id').notNull(),
    url: text('url').notNull(),
    /** The step's body as written (its strings are templates), copied at queue time. */
    template: jsonb('template').notNull(),
    /** WEBHOOK_SECRETS name; null: WEBHOOK_SECRET. */
    secretName: text('secret_name'),
    /** `{ consent, quietHours, blackout }` of the step. */
    gate: jsonb('gate').$type<{ consent: boolean; quietHours: boolean; blackout: boolean }>().notNull(),
    /** The JSON body as first rendered, stamped at the first hand-over: every retry sends these bytes. */
    body: text('body'),
    status: text('status').$type<WebhookCallStatus>().notNull().default('queued'),
    reason: text('reason'),
    attempts: integer('attempts').notNull().default(0),
    notBefore: at('not_before').notNull(),
    leaseUntil: at('lease_until'),
    /** The HTTP status of the last answer (null: none came). */
    responseStatus: integer('response_status'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: at('delivered_at'),
    settledAt: at('settled_at'),
  },
  (t) => [
    uniqueIndex('webhook_calls_run_step_key').on(t.runId, t.stepKey),
    uniqueIndex('webhook_calls_webhook_id_key').on(t.webhookId),
    index('webhook_calls_due_idx')
      .on(t.notBefore)
      .where(sql`status in ('queued', 'deferred')`),
    index('webhook_calls_leased_idx')
      .on(t.leaseUntil)
      .where(sql`status = 'calling'`),
  ],
);
