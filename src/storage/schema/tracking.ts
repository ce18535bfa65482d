import { bigint, boolean, date, index, integer, numeric, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns';
import { orders } from './events';
import { contacts } from './people';
import { sends } from './journeys';

/**
 * A tracked link: in a sent message (`send_id`, `position`), or a campaign link minted for another
 * channel (`almanac link create`, `POST /v1/links`: no send, `campaign` and `network` set). The
 * click redirect looks it up by id from a signed token.
 */
export const links = pgTable(
  'links',
  {
    id: id(),
    sendId: ref('send_id').references(() => sends.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    url: text('url').notNull(),
    /** Campaign links only: the campaign and the channel (facebook, google, sms, …) they were minted for. */
    campaign: text('campaign'),
    network: text('network'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('links_send_position_key').on(t.sendId, t.position)],
);

export const clicks = pgTable(
  'clicks',
  {
    id: id(),
    linkId: ref('link_id')
      .notNull()
      .references(() => links.id, { onDelete: 'cascade' }),
    /** Null for a campaign link's click (no send, and no known contact). */
    sendId: ref('send_id').references(() => sends.id, { onDelete: 'cascade' }),
    contactId: ref('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    clickedAt: at('clicked_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    isBot: boolean('is_bot').notNull().default(false),
    /** Why a click was judged a scanner's (src/tracking/bots.ts): kept in raw data, excluded from attribution and wait_until. */
    botReason: text('bot_reason'),
  },
  (t) => [
    index('clicks_contact_clicked_idx').on(t.contactId, t.clickedAt),
    index('clicks_send_idx').on(t.sendId),
    // A campaign link's clicks per network in the report (links with no send: no other index reaches them).
    index('clicks_link_idx').on(t.linkId),
  ],
);

export const opens = pgTable(
  'opens',
  {
    id: id(),
    sendId: ref('send_id')
      .notNull()
      .references(() => sends.id, { onDelete: 'cascade' }),
    contactId: ref('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    openedAt: at('opened_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** Machine-generated (Apple Mail Privacy Protection, Gmail prefetch, scanners): reported apart from human opens. */
    isBot: boolean('is_bot').notNull().default(false),
    botReason: text('bot_reason'),
  },
  (t) => [index('opens_contact_opened_idx').on(t.contactId, t.openedAt), index('opens_send_idx').on(t.sendId)],
);

/** The credit an order gives a send under one attribution model. */
export const attributions = pgTable(
  'attributions',
  {
    id: id(),
    orderId: ref('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    sendId: ref('send_id').references(() => sends.id, { onDelete: 'set null' }),
    campaign: text('campaign').notNull(),
    model: text('model').notNull(),
    touch: text('touch').notNull(),
    weight: numeric('weight', { precision: 7, scale: 6 }).notNull(),
    revenue: numeric('revenue', { precision: 14, scale: 2 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('attributions_order_send_model_key').on(t.orderId, t.sendId, t.model),
    index('attributions_campaign_idx').on(t.campaign, t.model),
  ],
);

/**
 * Credited orders and revenue per (campaign, model, UTC day of the order, currency, network), kept
 * in step with `attributions` by the attribution phase (src/storage/attribution.ts): a report reads
 * a few rows per day instead of every credit (1M orders stay one index range per campaign).
 * `network` is the order's `utm_source` ('(none)' without one) for the `utm` model, so a report
 * says which network's links sell; '' for every other model.
 */
export const attributionDaily = pgTable(
  'attribution_daily',
  {
    campaign: text('campaign').notNull(),
    model: text('model').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    currency: text('currency').notNull(),
    orders: numeric('orders', { precision: 20, scale: 6 }).notNull(),
    revenue: numeric('revenue', { precision: 16, scale: 2 }).notNull(),
    network: text('network').notNull().default(''),
  },
  (t) => [primaryKey({ columns: [t.campaign, t.model, t.day, t.currency, t.network] })],
);

/**
 * Engagement per (campaign, UTC day, metric), `n` a count. Metrics: `sent` (sends that became
 * `sent`, by the day of `sent_at`), `click_human` / `click_bot` (clicks on a send's links, by the
 * day clicked), `click_unique` (sends whose first human click fell that day), `open_human` /
 * `open_machine` / `open_unique` likewise for opens. Kept in step, in the same transaction as the
 * rows it counts, by src/storage/engagement.ts: the tracking recorder's batched click and open
 * inserts (src/storage/tracking.ts) and every write that makes a send `sent`
 * (src/storage/send-outcomes.ts, src/storage/send-feedback.ts). Campaign links' clicks (no send)
 * are not in it. `almanac attribution recompute` rebuilds it from raw rows (rebuildEngagement).
 */
export const engagementDaily = pgTable(
  'engagement_daily',
  {
    campaign: text('campaign').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    metric: text('metric').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaign, t.day, t.metric] })],
);
