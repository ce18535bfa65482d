import { eq, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf } from './sql-values';
import { contacts } from './schema/index';

/** What an upsert may set; absent fields leave the stored value alone. */
export interface ContactUpsert {
  /** The shop's id for the contact (`contact.id` in the JSON shape); matched first. */
  externalId?: string;
  /** Lower-cased (by the parser); matched when no external id matches. */
  email?: string;
  /** A valid IANA zone; absent means "leave the stored zone as it is". */
  timezone?: string;
  /** How `timezone` is known (default explicit): a guess from an address never replaces a stated zone. */
  timezoneSource?: 'explicit' | 'address';
  locale?: string;
  localeSource?: 'explicit' | 'address';
  /** Merged into the stored attributes (jsonb `||`: top-level keys replace, others stay). */
  attributes?: Record<string, unknown>;
  lifecycleStage?: string;
}

/**
 * Upsert many contacts in ONE statement; returns the contact id of each row, in input order, or
 * `undefined` for a row that statement could not settle (a concurrent transaction inserted the
 * same contact first, or two rows of the batch resolved to one contact). Call again with just
 * those rows: the next statement sees the winner and updates it. `upsertContactIds` does that.
 *
 * Matching: by external id; else by email when the stored contact has no external id yet (it
 * adopts the given one). A new contact whose email already belongs to a contact with another
 * external id is created without the email, and an update never moves an email from one contact
 * to another: emails are unique and identify a person, so the first owner keeps it.
 * Attributes merge with jsonb `||`; timezone, locale and lifecycle stage change only when given,
 * and a zone or locale guessed from an address (`*Source: 'address'`) never replaces a stated one.
 */
export async function upsertContacts(tx: Tx, rows: ContactUpsert[]): Promise<Array<number | undefined>> {
  if (rows.length === 0) return [];
  const input = JSON.stringify(
    rows.map((r, ord) => ({
      ord,
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
  const result = await tx.execute(sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as i(
        ord int, external_id text, email text, timezone text, timezone_source text, locale text, locale_source text,
        attributes jsonb, lifecycle_stage text)
    ), matched as (
      select i.*, coalesce(
        (select c.id from contacts c where i.external_id is not null and c.external_id = i.external_id),
        (select c.id from contacts c where i.email is not null and c.email = i.email
           and (i.external_id is null or c.external_id is null))
      ) as contact_id
      from input i
    ), updated as (
      update contacts c set
        external_id = coalesce(c.external_id, m.external_id),
        email = case when m.email is null
          or exists (select 1 from contacts o where o.email = m.email and o.id <> c.id) then c.email else m.email end,
        -- A guess (address) never replaces a stated value (explicit); anything else replaces the old.
        timezone = case when m.timezone is null or (m.timezone_source = 'address' and c.timezone_source = 'explicit')
          then c.timezone else m.timezone end,
        timezone_source = case when m.timezone is null or (m.timezone_source = 'address' and c.timezone_source = 'explicit')
          then c.timezone_source else m.timezone_source end,
        locale = case when m.locale is null or (m.locale_source = 'address' and c.locale_source = 'explicit')
          then c.locale else m.locale end,
        locale_source = case when m.locale is null or (m.locale_source = 'address' and c.locale_source = 'explicit')
          then c.locale_source else m.locale_source end,
        attributes = c.attributes || m.attributes,
        lifecycle_stage = coalesce(m.lifecycle_stage, c.lifecycle_stage),
        updated_at = now()
      from matched m where c.id = m.contact_id
      returning m.ord, c.id
    ), inserted as (
      insert into contacts (external_id, email, timezone, timezone_source, locale, locale_source, attributes, lifecycle_stage)
      select m.external_id,
        case when exists (select 1 from contacts o where o.email = m.email) then null else m.email end,
        m.timezone, m.timezone_source, m.locale, m.locale_source, m.attributes, m.lifecycle_stage
      from matched m where m.contact_id is null
      order by m.ord
      on conflict do nothing
      returning id, external_id, email
    )
    select u.ord, u.id from updated u
    union all
    select m.ord, n.id from inserted n join matched m on m.contact_id is null and (
      (m.external_id is not null and n.external_id = m.external_id)
      or (m.external_id is null and n.email = m.email))
  `);
  const ids: Array<number | undefined> = rows.map(() => undefined);
  for (const r of rowsOf<{ ord: number; id: number | string }>(result)) ids[Number(r.ord)] = Number(r.id);
  return ids;
}

export type ContactRow = typeof contacts.$inferSelect;

/** The stored contacts with these ids (any order). */
export async function getContacts(tx: Tx, ids: number[]): Promise<ContactRow[]> {
  if (ids.length === 0) return [];
  return tx.select().from(contacts).where(inArray(contacts.id, ids));
}

/** The contact with this external id, else with this email (lower-cased), or undefined. */
export async function findContactByIdOrEmail(tx: Tx, idOrEmail: string): Promise<ContactRow | undefined> {
  const [row] = await tx
    .select()
    .from(contacts)
    .where(or(eq(contacts.externalId, idOrEmail), eq(contacts.email, idOrEmail.toLowerCase())))
    .orderBy(sql`(${contacts.externalId} = ${idOrEmail}) desc nulls last`)
    .limit(1);
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

/**
 * The stored contacts an import batch may meet (ONE statement): those with any of these external
 * ids or (lower-cased) emails. The import tells created from updated contacts by it, and a dry
 * run what would be created.
 */
export async function contactsMatching(
  tx: Tx,
  externalIds: string[],
  emails: string[],
): Promise<Array<Pick<ContactRow, 'id' | 'externalId' | 'email'>>> {
  if (externalIds.length === 0 && emails.length === 0) return [];
  return tx
    .select({ id: contacts.id, externalId: contacts.externalId, email: contacts.email })
    .from(contacts)
    .where(
      or(
        externalIds.length ? inArray(contacts.externalId, externalIds) : undefined,
        emails.length ? inArray(contacts.email, emails) : undefined,
      ),
    );
}
