import { sql } from 'drizzle-orm';
import { index, jsonb, numeric, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns';
import { contacts } from './people';

/**
 * Everything that happened, once: `dedupe_key` is the event id, the provider's delivery id or
 * the `Idempotency-Key`, so a redelivery is stored once and acts once. `processed_at` is null
 * until triggers have seen the event.
 */
export const events = pgTable(
  'events',
  {
    id: id(),
    dedupeKey: text('dedupe_key').notNull(),
    type: text('type').notNull(),
    contactId: ref('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: at('occurred_at').notNull(),
    receivedAt: at('received_at').notNull().defaultNow(),
    source: text('source').notNull(),
    processedAt: at('processed_at'),
  },
  (t) => [
    uniqueIndex('events_dedupe_key_key').on(t.dedupeKey),
    index('events_contact_type_occurred_idx').on(t.contactId, t.type, t.occurredAt),
    // …and complaints by `occurred_at`.
    index('events_complaints_idx')
      .on(t.occurredAt)
      .where(sql`type = 'email.complained'`),
    // The trigger phase's claim: unprocessed events in id order, and "no earlier one of this contact".
    index('events_unprocessed_idx')
      .on(t.id)
      .where(sql`processed_at is null`),
    index('events_unprocessed_contact_idx')
      .on(t.contactId, t.id)
      .where(sql`processed_at is null`),
  ],
);

/** Orders, for attribution and recommendations. One row per (source, order id). */
export const orders = pgTable(
  'orders',
  {
    id: id(),
    source: text('source').notNull(),
    orderId: text('order_id').notNull(),
    contactId: ref('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    checkoutId: text('checkout_id'),
    total: numeric('total', { precision: 14, scale: 2 }).notNull(),
    currency: text('currency').notNull(),
    items: jsonb('items').$type<Array<Record<string, unknown>>>().notNull().default([]),
    /** Refunded so far (`order.refunded`, Shopify `refunds/create`): attribution credits total − refunded. */
    refunded: numeric('refunded', { precision: 14, scale: 2 }).notNull().default('0'),
    /** Where the buyer landed (Shopify `landing_site`, `properties.landing_url`), and its UTM pairs: credit without a tracked click. */
    landingUrl: text('landing_url'),
    utmSource: text('utm_source'),
    utmMedium: text('utm_medium'),
    utmCampaign: text('utm_campaign'),
    occurredAt: at('occurred_at').notNull(),
    createdAt: createdAt(),
    /** When the attribution phase last credited it; null = (re)compute at the next tick (src/scheduler/attribution-phase.ts). */
    attributedAt: at('attributed_at'),
  },
  (t) => [
    uniqueIndex('orders_source_order_id_key').on(t.source, t.orderId),
    index('orders_contact_occurred_idx').on(t.contactId, t.occurredAt),
    index('orders_unattributed_idx')
      .on(t.id)
      .where(sql`attributed_at is null`),
  ],
);

/** Every accepted webhook delivery, keyed by the provider's delivery id, so replays do nothing. */
export const webhookReceipts = pgTable(
  'webhook_receipts',
  {
    id: id(),
    source: text('source').notNull(),
    deliveryId: text('delivery_id').notNull(),
    topic: text('topic'),
    receivedAt: createdAt(),
  },
  (t) => [uniqueIndex('webhook_receipts_source_delivery_key').on(t.source, t.deliveryId)],
);
