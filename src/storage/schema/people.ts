import { boolean, index, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns';

/**
 * A person we may message. `external_id` is the shop's id; `email` is stored lower-cased.
 * `timezone_source` / `locale_source`: `explicit` (stated by an event, the API or an import),
 * `address` (guessed from a postal address: src/contacts/zone.ts), `accept_language` (locale only:
 * the browser's Accept-Language of a form submission), null (none known: the calendar's zone
 * applies, no locale). A value known less well never replaces one known better.
 */
export const contacts = pgTable(
  'contacts',
  {
    id: id(),
    externalId: text('external_id'),
    email: text('email'),
    timezone: text('timezone'),
    timezoneSource: text('timezone_source').$type<'explicit' | 'address'>(),
    locale: text('locale'),
    localeSource: text('locale_source').$type<'explicit' | 'accept_language' | 'address'>(),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    lifecycleStage: text('lifecycle_stage'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    erasedAt: at('erased_at'),
  },
  (t) => [
    uniqueIndex('contacts_external_id_key').on(t.externalId),
    uniqueIndex('contacts_email_key').on(t.email),
    index('contacts_lifecycle_stage_idx').on(t.lifecycleStage),
  ],
);

/**
 * The consent ledger: append-only. Each row is one grant, withdrawal or pending request with its
 * evidence (the text and version shown, how, from where). The current state for a purpose is
 * the newest row. A double opt-in request is `pending` (and `granted` false, so every reader
 * treats it as not granted); its confirmation is a later grant whose `confirms` names it, with
 * the IP and user agent of the click that confirmed.
 */
export const consentRecords = pgTable(
  'consent_records',
  {
    id: id(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    purpose: text('purpose').notNull(),
    granted: boolean('granted').notNull(),
    text: text('text'),
    textVersion: text('text_version'),
    source: text('source').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    eventId: ref('event_id'),
    pending: boolean('pending').notNull().default(false),
    confirms: ref('confirms'),
    occurredAt: at('occurred_at').notNull(),
    recordedAt: at('recorded_at').notNull().defaultNow(),
  },
  (t) => [index('consent_records_contact_purpose_idx').on(t.contactId, t.purpose, t.occurredAt)],
);

/**
 * Addresses never to mail, kept as an HMAC of the normalised address so erasure can keep them.
 * `scope` `all` stops every send (a hard bounce); `marketing` stops every purpose but
 * `email.transactional` (a spam complaint: the receipt of an order still goes).
 */
export const suppressions = pgTable(
  'suppressions',
  {
    id: id(),
    addressHash: text('address_hash').notNull(),
    reason: text('reason').notNull(),
    source: text('source').notNull(),
    scope: text('scope').$type<SuppressionScope>().notNull().default('all'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('suppressions_address_hash_key').on(t.addressHash)],
);

export type SuppressionScope = 'all' | 'marketing';

/**
 * Soft (transient) bounces per address, one row per SES notification: enough of them within a
 * window suppress the address (src/storage/suppressions.ts). Keyed like `suppressions`.
 */
export const transientBounces = pgTable(
  'transient_bounces',
  {
    id: id(),
    addressHash: text('address_hash').notNull(),
    /** The SNS MessageId of the notification, so one notification counts once. */
    notificationId: text('notification_id').notNull(),
    bouncedAt: at('bounced_at').notNull(),
  },
  (t) => [
    uniqueIndex('transient_bounces_notification_address_key').on(t.notificationId, t.addressHash),
    index('transient_bounces_address_idx').on(t.addressHash, t.bouncedAt),
  ],
);

/** Who is in which named segment now; entering and leaving it fires `segment` triggers. */
export const segmentMemberships = pgTable(
  'segment_memberships',
  {
    segment: text('segment').notNull(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    enteredAt: at('entered_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'segment_memberships_pkey', columns: [t.segment, t.contactId] }),
    index('segment_memberships_contact_idx').on(t.contactId),
  ],
);

/**
 * One row per GDPR erasure (src/consent/erase.ts), without personal data: the erased contact's
 * old numeric id (which nothing maps to a person any more: its row is gone), when, through what
 * (`api` or `cli`), and how many rows of each kind went (`{ events: 3, sends: 1, … }`). No email,
 * no external id, no address hash (that stays only in `suppressions`).
 */
export const erasures = pgTable(
  'erasures',
  {
    id: id(),
    contactId: ref('contact_id').notNull(),
    erasedAt: at('erased_at').notNull(),
    source: text('source').$type<ErasureSource>().notNull(),
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
  },
  (t) => [index('erasures_erased_at_idx').on(t.erasedAt)],
);

export type ErasureSource = 'api' | 'cli';

/**
 * Every name a contact is known by (src/contacts/identifiers.ts: `external:<source>:<id>`,
 * `email:<address>`, `shopify:<shop>:<customer id>`, `phone:<E.164>`), one contact each. An event
 * naming any of them attaches to that contact; one naming identifiers of two contacts merges them
 * (src/events/contacts.ts). `source` is who told us (the ingest source, `import`, `merge`…).
 */
export const contactIdentifiers = pgTable(
  'contact_identifiers',
  {
    identifier: text('identifier').primaryKey(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    source: text('source').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('contact_identifiers_contact_idx').on(t.contactId)],
);

/**
 * One row per merge of two contacts (src/storage/contact-merge.ts): the survivor, the merged
 * contact's old id (its row is gone), which identifiers linked them, who and why, and `snapshot`
 * (the merged contact's row and identifiers, the survivor's fields before) and `moved` (the ids
 * of every row that changed hands, the runs collapsed, the consent and suppressions added) so the
 * merge can be read back and reverted (`reverted_at`). No FK on the survivor: an erasure of the
 * survivor deletes this row with it (a personal-data trail is not kept past erasure).
 */
export const contactMerges = pgTable(
  'contact_merges',
  {
    id: id(),
    survivorId: ref('survivor_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    mergedId: ref('merged_id').notNull(),
    via: jsonb('via').$type<string[]>().notNull(),
    source: text('source').notNull(),
    reason: text('reason').notNull(),
    snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
    moved: jsonb('moved').$type<Record<string, unknown>>().notNull(),
    mergedAt: at('merged_at').notNull(),
    revertedAt: at('reverted_at'),
    revertedBy: text('reverted_by'),
  },
  (t) => [index('contact_merges_survivor_idx').on(t.survivorId), index('contact_merges_merged_idx').on(t.mergedId)],
);
