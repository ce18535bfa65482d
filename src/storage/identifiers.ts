import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf } from './sql-values';

const textArray = (values: readonly string[]) => sql`${JSON.stringify(values)}::jsonb`;

/**
 * Hold a transaction-long advisory lock per identifier, taken in one order (by hash) in ONE
 * statement, so two batches naming the same new identifier cannot both create a contact for it:
 * the second waits, then finds the first one's contact.
 */
export async function lockIdentifiers(tx: Tx, identifiers: readonly string[]): Promise<void> {
  if (identifiers.length === 0) return;
  await tx.execute(sql`
    select count(pg_advisory_xact_lock(k)) from (
      select distinct hashtextextended(x, 0) as k from jsonb_array_elements_text(${textArray(identifiers)}) as x order by 1
    ) s`);
}

/**
 * Which contact holds each of these identifiers (those no one holds are absent). A contact whose
 * `external_id` or `email` column names one but who has no identifier row for it (written by SQL
 * — a seed, a bench, a restore — rather than through an upsert) is given the row first, so the
 * columns and the identifiers never disagree. Two statements.
 */
export async function identifierOwners(tx: Tx, identifiers: readonly string[]): Promise<Map<string, number>> {
  if (identifiers.length === 0) return new Map();
  const external = identifiers.filter((i) => i.startsWith('external:app:')).map((i) => i.slice('external:app:'.length));
  const emails = identifiers.filter((i) => i.startsWith('email:')).map((i) => i.slice('email:'.length));
  if (external.length || emails.length)
    await tx.execute(sql`
      insert into contact_identifiers (identifier, contact_id, kind, source)
      select 'external:app:' || external_id, id, 'external', 'column' from contacts
        where external_id in (select jsonb_array_elements_text(${textArray(external)}))
      union all
      select 'email:' || email, id, 'email', 'column' from contacts
        where email in (select jsonb_array_elements_text(${textArray(emails)}))
      on conflict (identifier) do nothing`);
  const rows = rowsOf<{ identifier: string; contact_id: string | number }>(
    await tx.execute(sql`
      select identifier, contact_id from contact_identifiers
      where identifier in (select jsonb_array_elements_text(${textArray(identifiers)}))`),
  );
  return new Map(rows.map((r) => [r.identifier, Number(r.contact_id)]));
}

/** Give contacts identifiers in ONE statement; one already held stays with its holder. */
export async function addIdentifiers(
  tx: Tx,
  rows: ReadonlyArray<{ identifier: string; contactId: number; source: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  const input = JSON.stringify(
    rows.map((r) => ({
      identifier: r.identifier,
      contact_id: r.contactId,
      kind: r.identifier.slice(0, r.identifier.indexOf(':')),
      source: r.source,
    })),
  );
  await tx.execute(sql`
    insert into contact_identifiers (identifier, contact_id, kind, source)
    select identifier, contact_id, kind, source from jsonb_to_recordset(${input}::jsonb) as i(identifier text, contact_id bigint, kind text, source text)
    on conflict (identifier) do nothing`);
}

export interface IdentifierRow {
  identifier: string;
  contactId: number;
  kind: string;
  source: string;
  createdAt: Date;
}

/** The identifiers of these contacts, strongest kind first, then oldest. */
export async function identifiersOfContacts(tx: Tx, contactIds: readonly number[]): Promise<IdentifierRow[]> {
  if (contactIds.length === 0) return [];
  const rows = rowsOf<{ identifier: string; contact_id: string | number; kind: string; source: string; created_at: string | Date }>(
    await tx.execute(sql`
      select identifier, contact_id, kind, source, created_at from contact_identifiers
      where contact_id in (select (jsonb_array_elements_text(${JSON.stringify(contactIds.map(String))}::jsonb))::bigint)
      order by contact_id, array_position(array['external', 'shopify', 'phone', 'email'], kind), created_at, identifier`),
  );
  return rows.map((r) => ({
    identifier: r.identifier,
    contactId: Number(r.contact_id),
    kind: r.kind,
    source: r.source,
    createdAt: new Date(r.created_at),
  }));
}

/**
 * The contact holding the first of these identifiers that someone holds (ONE statement); the
 * `external_id` and `email` columns count too, for contacts written by SQL (see identifierOwners).
 */
export async function contactIdByIdentifiers(tx: Tx, candidates: readonly string[]): Promise<number | undefined> {
  if (candidates.length === 0) return undefined;
  const [row] = rowsOf<{ contact_id: string | number }>(
    await tx.execute(sql`
      with c as (select identifier, n from jsonb_array_elements_text(${textArray(candidates)}) with ordinality as c(identifier, n))
      select contact_id from (
        select i.contact_id, c.n from contact_identifiers i join c on c.identifier = i.identifier
        union all
        select k.id, c.n from contacts k join c on c.identifier like 'external:app:%' and k.external_id = substr(c.identifier, 14)
        union all
        select k.id, c.n from contacts k join c on c.identifier like 'email:%' and k.email = substr(c.identifier, 7)
      ) found order by n limit 1`),
  );
  return row ? Number(row.contact_id) : undefined;
}
