import { bigint, boolean, date, index, numeric, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at, ref } from './columns';
import { orders } from './events';
import { contacts } from './people';

/**
 * The report rollups of runs and sends (migration 0014). Both are kept by statement-level
 * triggers on `runs` / `sends` (with transition tables: one insert per statement, whatever the
 * batch, and every write path is covered — the journey, broadcasts, dispatch, SES feedback,
 * GDPR erasure's cascades). A trigger never updates a shared counter row: it APPENDS signed
 * deltas (`*_deltas`, no key, so two workers never wait on each other or deadlock over a hot
 * day's row), and the tick's `rollups` phase folds them into the keyed `*_daily` table
 * (src/storage/rollups.ts). A report reads the daily rows plus the few unfolded deltas.
 *
 * `funnel_*`: runs per (campaign, UTC day the run started, step it is at — `(end)` when done —,
 * status, phase, exit reason); '' stands for "none" in phase and reason (a key column cannot be
 * null).
 */
const funnelColumns = () => ({
  campaign: text('campaign').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  step: text('step').notNull(),
  status: text('status').notNull(),
  phase: text('phase').notNull(),
  reason: text('reason').notNull(),
  n: bigint('n', { mode: 'number' }).notNull(),
});

export const funnelDaily = pgTable('funnel_daily', funnelColumns(), (t) => [
  primaryKey({ columns: [t.campaign, t.day, t.step, t.status, t.phase, t.reason] }),
]);
export const funnelDeltas = pgTable('funnel_deltas', funnelColumns());

/**
 * `send_*`: sends per (campaign, UTC day created, step, template, status, reason — '' for none),
 * with the earliest creation time seen (`first_at`: reports list steps in the order their mails
 * were first made).
 */
const sendColumns = () => ({
  campaign: text('campaign').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  step: text('step').notNull(),
  template: text('template').notNull(),
  status: text('status').notNull(),
  reason: text('reason').notNull(),
  n: bigint('n', { mode: 'number' }).notNull(),
  firstAt: at('first_at').notNull(),
});

export const sendDaily = pgTable('send_daily', sendColumns(), (t) => [
  primaryKey({ columns: [t.campaign, t.day, t.step, t.template, t.status, t.reason] }),
]);
export const sendDeltas = pgTable('send_deltas', sendColumns());

/**
 * Who a campaign has mailed: one row per (campaign, contact) with the creation time of the
 * contact's first `sent` mail of it, kept by the trigger on `sends` (a send never leaves `sent`;
 * an erased contact's row goes with the contact). A report's "recipients" counts these instead of
 * a count(distinct) over every send.
 */
export const campaignRecipients = pgTable(
  'campaign_recipients',
  {
    campaign: text('campaign').notNull(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    firstSentAt: at('first_sent_at').notNull(),
  },
  // Keyed contact first: an erased contact's rows go by the key (the cascade), a report counts by the index.
  (t) => [primaryKey({ columns: [t.contactId, t.campaign] }), index('campaign_recipients_first_idx').on(t.campaign, t.firstSentAt)],
);

/**
 * The orders a holdout lift counts: per campaign with a holdout, every order of a contact who
 * entered it (`campaign_entries`, either arm) placed within the campaign's click window after the
 * contact's first entry, with its revenue (total − refunded, ≥ 0) in its own currency. Written by
 * the attribution phase in the transaction that credits the order (src/storage/attribution.ts
 * replaceAttributions), so refunds, cancellations and `almanac attribution recompute` (a changed
 * window) rewrite it with the credits. The report aggregates it per arm in SQL.
 */
export const holdoutOrders = pgTable(
  'holdout_orders',
  {
    campaign: text('campaign').notNull(),
    heldOut: boolean('held_out').notNull(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    orderId: ref('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    currency: text('currency').notNull(),
    amount: numeric('amount', { precision: 14, scale: 2 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.campaign, t.heldOut, t.contactId, t.orderId] }),
    index('holdout_orders_order_idx').on(t.orderId),
    index('holdout_orders_contact_idx').on(t.contactId),
  ],
);
