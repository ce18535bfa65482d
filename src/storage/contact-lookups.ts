import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { ERASED_REASON } from './gdpr';
import { identifiersOfContacts } from './identifiers';
import { rowsOf } from './sql-values';

const idList = (ids: readonly number[]) => sql`(select (jsonb_array_elements_text(${JSON.stringify(ids.map(String))}::jsonb))::bigint)`;

/** Of these contacts, those carrying an address under an erasure's suppression (no fresh grant since). Two statements. */
export async function erasedContacts(tx: Tx, ids: readonly number[], hash: (email: string) => string): Promise<Set<number>> {
  const emails = (await identifiersOfContacts(tx, ids)).filter((i) => i.kind === 'email');
  if (emails.length === 0) return new Set();
  const hashed = emails.map((e) => ({ contactId: e.contactId, hash: hash(e.identifier.slice('email:'.length)) }));
  const erased = new Set(
    rowsOf<{ address_hash: string }>(
      await tx.execute(sql`
        select address_hash from suppressions where reason = ${ERASED_REASON}
          and address_hash in (select jsonb_array_elements_text(${JSON.stringify(hashed.map((h) => h.hash))}::jsonb))`),
    ).map((r) => r.address_hash),
  );
  return new Set(hashed.filter((h) => erased.has(h.hash)).map((h) => h.contactId));
}

/** Pairs [survivor, merged] among these contacts whose merge was reverted. */
export async function revertedPairs(tx: Tx, ids: readonly number[]): Promise<Array<[number, number]>> {
  const rows = rowsOf<{ survivor_id: string | number; merged_id: string | number }>(
    await tx.execute(sql`
      select survivor_id, merged_id from contact_merges
      where reverted_at is not null and survivor_id in ${idList(ids)} and merged_id in ${idList(ids)}`),
  );
  return rows.map((r) => [Number(r.survivor_id), Number(r.merged_id)]);
}

/** How an answer names a contact: its external id, else its strongest identifier, else `#<id>`. */
export async function holderNames(tx: Tx, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = rowsOf<{ id: string | number; name: string }>(
    await tx.execute(sql`
      select c.id, coalesce(c.external_id, (
        select i.identifier from contact_identifiers i where i.contact_id = c.id
        order by array_position(array['external', 'shopify', 'phone', 'email'], i.kind), i.created_at limit 1), '#' || c.id) as name
      from contacts c where c.id in ${idList(ids)}`),
  );
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}
