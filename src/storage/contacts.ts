import { eq, inArray, type SQL, sql } from 'drizzle-orm';
import { contactIdByIdentifiers } from './identifiers';
import type { Tx } from './db';
import { rowsOf } from './sql-values';
import { contacts } from './schema/index';

/** What an upsert may set; absent fields leave the stored value alone. */
export interface ContactUpsert {
  /** The application's id for the contact (`contact.id` in the JSON shape): identifier `external:app:<id>`. */
  externalId?: string;
  /** Lower-cased (by the parser): identifier `email:<address>`, and the address mailed. */
  email?: string;
  /** More identifiers, canonical (src/contacts/identifiers.ts): `shopify:<shop>:<id>`, `phone:+…`, `external:<source>:<id>`. */
  identifiers?: string[];
  /** A valid IANA zone; absent means "leave the stored zone as it is". */
  timezone?: string;
  /** How `timezone` is known (default explicit): a guess from an address never replaces a stated zone. */
  timezoneSource?: 'explicit' | 'address';
  locale?: string;
  /** explicit (default) beats accept_language (the browser's) beats address (the country's language). */
  localeSource?: 'explicit' | 'accept_language' | 'address';
  /** Merged into the stored attributes (jsonb `||`: top-level keys replace, others stay). */
  attributes?: Record<string, unknown>;
  lifecycleStage?: string;
}

/**
 * How well a zone or locale is known, as SQL: stated (`explicit`) 3, a browser's Accept-Language
 * (`accept_language`, locales only) 2, guessed from an address (`address`) 1, unknown 0.
 */
export const knownRank = (source: SQL) =>
  sql`coalesce(array_position(array['address', 'accept_language', 'explicit']::text[], ${source}), 0)`;

/** A contact's fields as a write sets them: `email` and `externalId` only when the contact holds them (no one else does). */
type ContactWrite = Omit<ContactUpsert, 'identifiers'>;

const writeInput = (rows: ReadonlyArray<ContactWrite & { id?: number }>) =>
  JSON.stringify(
    rows.map((r) => ({
      id: r.id ?? null,
      external_id: r.externalId ?? null,
      email: r.email ?? null,
      timezone: r.timezone ?? null,
      timezone_source: r.timezone === undefined ? null : (r.timezoneSource ?? 'explicit'),
      locale: r.locale ?? null,
      locale_source: r.locale === undefined ? null : (r.localeSource ?? 'explicit'),
      attributes: r.attributes ?? {},
      lifecycle_stage: r.lifecycleStage ?? null,
    })),
  );

const INPUT_COLUMNS = sql.raw(`id bigint, external_id text, email text, timezone text, timezone_source text, locale text,
  locale_source text, attributes jsonb, lifecycle_stage text`);

/** Create contacts in ONE statement (ids drawn first, so each row's id is known); returns their ids in order. */
export async function insertContacts(tx: Tx, rows: ContactWrite[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const ids = rowsOf<{ id: string | number }>(
    await tx.execute(sql`select nextval(pg_get_serial_sequence('contacts', 'id')) as id from generate_series(1, ${rows.length}::int)`),
  ).map((r) => Number(r.id));
  await tx.execute(sql`
    insert into contacts (id, external_id, email, timezone, timezone_source, locale, locale_source, attributes, lifecycle_stage)
    overriding system value
    select i.id, i.external_id, i.email, i.timezone, i.timezone_source, i.locale, i.locale_source, i.attributes, i.lifecycle_stage
    from jsonb_to_recordset(${writeInput(rows.map((r, k) => ({ ...r, id: ids[k]! })))}::jsonb) as i(${INPUT_COLUMNS})`);
  return ids;
}

/**
 * Update stored contacts in ONE statement (one row per contact). The external id is adopted
 * when the contact has none; the email replaces the stored one (the address mailed), since the
 * caller gives it only when the contact holds it. Attributes merge with jsonb `||` (top-level
 * keys replace, others stay); timezone, locale and lifecycle stage change only when given, and a
 * zone or locale guessed from an address (`*Source: 'address'`) never replaces a stated one.
 */
export async function updateContacts(tx: Tx, rows: Array<ContactWrite & { id: number }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update contacts c set
      external_id = coalesce(c.external_id, m.external_id),
      email = coalesce(m.email, c.email),
      -- A value known less well never replaces one known better (knownRank); as well or better replaces it.
      timezone = case when m.timezone is null or ${knownRank(sql`m.timezone_source`)} < ${knownRank(sql`c.timezone_source`)}
        then c.timezone else m.timezone end,
      timezone_source = case when m.timezone is null or ${knownRank(sql`m.timezone_source`)} < ${knownRank(sql`c.timezone_source`)}
        then c.timezone_source else m.timezone_source end,
      locale = case when m.locale is null or ${knownRank(sql`m.locale_source`)} < ${knownRank(sql`c.locale_source`)}
        then c.locale else m.locale end,
      locale_source = case when m.locale is null or ${knownRank(sql`m.locale_source`)} < ${knownRank(sql`c.locale_source`)}
        then c.locale_source else m.locale_source end,
      attributes = c.attributes || m.attributes,
      lifecycle_stage = coalesce(m.lifecycle_stage, c.lifecycle_stage),
      updated_at = now()
    from jsonb_to_recordset(${writeInput(rows)}::jsonb) as m(${INPUT_COLUMNS})
    where c.id = m.id`);
}

export type ContactRow = typeof contacts.$inferSelect;

/** The stored contacts with these ids (any order). */
export async function getContacts(tx: Tx, ids: number[]): Promise<ContactRow[]> {
  if (ids.length === 0) return [];
  return tx.select().from(contacts).where(inArray(contacts.id, ids));
}

/** The contact holding the first of these identifiers someone holds (a `:id` as identifiersForRef reads it), or undefined. Two statements. */
export async function findContactByIdentifiers(tx: Tx, candidates: readonly string[]): Promise<ContactRow | undefined> {
  const id = await contactIdByIdentifiers(tx, candidates);
  if (id === undefined) return undefined;
  const [row] = await tx.select().from(contacts).where(eq(contacts.id, id));
  return row;
}

/** The contacts holding any of these (lower-cased) emails: id, external id and email. */
export async function contactsWithEmails(tx: Tx, emails: string[]): Promise<Array<Pick<ContactRow, 'id' | 'externalId' | 'email'>>> {
  if (emails.length === 0) return [];
  return tx
    .select({ id: contacts.id, externalId: contacts.externalId, email: contacts.email })
    .from(contacts)
    .where(inArray(contacts.email, emails));
}
