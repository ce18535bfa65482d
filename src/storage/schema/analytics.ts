import { sql } from 'drizzle-orm';
import { doublePrecision, index, integer, jsonb, numeric, pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { at, ref } from './columns';
import { contacts } from './people';

/**
 * What Almanac knows about one contact as a customer, kept by the `analytics` tick phase
 * (src/scheduler/analytics-phase.ts, SQL in src/storage/analytics.ts): the order summary, the
 * lifecycle stage and when it last changed, when the contact will be churning or lost if no order
 * comes, the RFM scores and cell, customer value after costs, and the predictions of the
 * repeat-buying model. `doc` is the same as one JSON object, what conditions (`predicted.X`,
 * `customer.X`, `rfm:`) and templates (`customer.*`) read. One row per contact who was ever
 * looked at; prospects (no order) have zeros.
 */
export const customerMetrics = pgTable(
  'customer_metrics',
  {
    contactId: ref('contact_id')
      .primaryKey()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    orders: integer('orders').notNull().default(0),
    /** Net of refunds, in `currency` (the shop's, or the orders' most common one: README "Customer analytics"). */
    revenue: numeric('revenue', { precision: 16, scale: 2 }).notNull().default('0'),
    firstOrderAt: at('first_order_at'),
    lastOrderAt: at('last_order_at'),
    /** Mean days between orders (null below two orders). */
    meanGapDays: doublePrecision('mean_gap_days'),
    stage: text('stage').notNull().default('prospect'),
    stageSince: at('stage_since').notNull(),
    /** When the stage becomes churning / lost if no order comes first (null: not applicable). */
    churnAt: at('churn_at'),
    lostAt: at('lost_at'),
    /** The next instant time alone changes the stage (churning, lost, loyal by tenure): the incremental pass looks again then. */
    reviewAt: at('review_at'),
    r: smallint('r'),
    f: smallint('f'),
    m: smallint('m'),
    rfm: text('rfm'),
    value: numeric('value', { precision: 16, scale: 2 }),
    predicted: jsonb('predicted').$type<Record<string, unknown>>(),
    doc: jsonb('doc').$type<Record<string, unknown>>().notNull().default({}),
    computedAt: at('computed_at').notNull(),
  },
  (t) => [
    index('customer_metrics_stage_idx').on(t.stage),
    index('customer_metrics_rfm_idx').on(t.rfm),
    index('customer_metrics_review_at_idx')
      .on(t.reviewAt)
      .where(sql`review_at is not null`),
  ],
);

/**
 * The RFM scores of the current full pass, computed over the whole base in one statement (they
 * are relative to it) and then copied into `customer_metrics` chunk by chunk as the pass writes
 * value, predictions and `doc` (src/scheduler/analytics-phase.ts): a million rows' update is
 * spread over many short transactions instead of one. No foreign key: it is rebuilt every pass.
 */
export const rfmScores = pgTable('rfm_scores', {
  contactId: ref('contact_id').primaryKey(),
  r: smallint('r').notNull(),
  f: smallint('f').notNull(),
  m: smallint('m').notNull(),
  cell: text('cell').notNull(),
});
