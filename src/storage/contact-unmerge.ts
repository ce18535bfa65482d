import { sql } from 'drizzle-orm';
import { asDate, KEYED, type KeyedTable, MOVED_TABLES } from './contact-merge';
import type { Tx } from './db';
import { rowsOf, ts } from './sql-values';

export interface RevertResult {
  mergeId: number;
  survivor: number;
  /** The merged contact, back under its old id. */
  restored: number;
  /** Rows moved back, per table. */
  counts: Record<string, number>;
}

/**
 * Undo a merge (`almanac contact unmerge MERGE_ID`, `POST /v1/contact-merges/:id/revert`) in
 * the caller's transaction: the merged contact comes back under its old id with its fields and
 * identifiers; every row the merge moved goes back (runs with their entry keys, sends, events,
 * orders, clicks, opens, trigger skips, consent), its campaign entries, recipients and segment
 * memberships are restored (the survivor's copies of them removed); the withdrawals and
 * suppressions the merge added are deleted; the survivor gives back an external id or email it
 * had adopted; orders of both are credited again. What happened after the merge stays with the
 * survivor, and runs the merge ended stay ended (a journey is not resumed: the person may enter
 * again by the campaign's rules). The pair is not merged again automatically (src/contacts/resolve.ts).
 * Undefined when no such merge; `already` when it was reverted before.
 */
export async function revertMerge(
  tx: Tx,
  mergeId: number,
  o: { by: string; now: Date },
): Promise<RevertResult | { already: true; revertedAt: Date } | undefined> {
  const [row] = rowsOf<{
    survivor_id: string | number;
    merged_id: string | number;
    snapshot: {
      contact: Record<string, unknown>;
      identifiers: Array<{ identifier: string }>;
      survivor_before: Record<string, unknown>;
      survivor_keyed?: Record<string, unknown[]>;
    };
    moved: Record<string, unknown>;
    reverted_at: string | Date | null;
  }>(
    await tx.execute(sql`select survivor_id, merged_id, snapshot, moved, reverted_at from contact_merges where id = ${mergeId} for update`),
  );
  if (!row) return undefined;
  if (row.reverted_at) return { already: true, revertedAt: asDate(row.reverted_at) };
  const s = Number(row.survivor_id);
  const g = Number(row.merged_id);
  const { contact, identifiers, survivor_before: before } = row.snapshot;
  const [survivor] = rowsOf<{ external_id: string | null; email: string | null }>(
    await tx.execute(sql`select external_id, email from contacts where id = ${s} for update`),
  );
  // The survivor gives back what it adopted; the merged contact takes its own back only where no one else holds it now.
  const adoptedExternal = before.external_id == null && survivor?.external_id != null && survivor.external_id === contact.external_id;
  const adoptedEmail = before.email == null && survivor?.email != null && survivor.email === contact.email;
  if (adoptedExternal || adoptedEmail)
    await tx.execute(sql`
      update contacts set external_id = ${adoptedExternal ? null : (survivor!.external_id ?? null)}::text,
        email = ${adoptedEmail ? null : (survivor!.email ?? null)}::text where id = ${s}`);
  await tx.execute(sql`
    insert into contacts (id, external_id, email, timezone, timezone_source, locale, locale_source, attributes, lifecycle_stage, created_at, updated_at, erased_at)
    overriding system value
    select c.id, case when exists (select 1 from contacts o where o.external_id = c.external_id) then null else c.external_id end,
      case when exists (select 1 from contacts o where o.email = c.email) then null else c.email end,
      c.timezone, c.timezone_source, c.locale, c.locale_source, coalesce(c.attributes, '{}'::jsonb), c.lifecycle_stage, c.created_at, ${ts(o.now)}, c.erased_at
    from jsonb_populate_record(null::contacts, ${JSON.stringify(contact)}::jsonb) c`);
  const list = (v: unknown) => JSON.stringify(Array.isArray(v) ? v.map(String) : []);
  const ids = (v: unknown) => sql`(select (jsonb_array_elements_text(${list(v)}::jsonb))::bigint)`;
  await tx.execute(sql`
    update contact_identifiers set contact_id = ${g}
    where contact_id = ${s} and identifier in (select jsonb_array_elements_text(${JSON.stringify(identifiers.map((i) => i.identifier))}::jsonb))`);
  const counts: Record<string, number> = {};
  for (const table of MOVED_TABLES) {
    counts[table] = rowsOf(
      await tx.execute(
        sql`update ${sql.identifier(table)} set contact_id = ${g} where contact_id = ${s} and id in ${ids(row.moved[table])} returning id`,
      ),
    ).length;
  }
  await tx.execute(
    sql`update runs set entry_key = left(entry_key, length(entry_key) - ${`:merged:${g}`.length}) where id in ${ids(row.moved.rekeyed_runs)}`,
  );
  await tx.execute(sql`update holdout_orders set contact_id = ${g} where contact_id = ${s} and order_id in ${ids(row.moved.orders)}`);
  for (const [table, k] of Object.entries(KEYED) as Array<[KeyedTable, (typeof KEYED)[KeyedTable]]>) {
    const theirs = (row.moved[table] as unknown[] | undefined) ?? [];
    if (theirs.length === 0) continue;
    const t = sql.identifier(table);
    const key = sql.raw(k.key.join(', '));
    const ownKeys = JSON.stringify(row.snapshot.survivor_keyed?.[table] ?? []);
    await tx.execute(sql`
      delete from ${t} where contact_id = ${s}
        and (${key}) in (select ${key} from jsonb_populate_recordset(null::${t}, ${JSON.stringify(theirs)}::jsonb))
        and (${key}) not in (select ${key} from jsonb_populate_recordset(null::${t}, ${ownKeys}::jsonb))`);
    await tx.execute(sql`
      insert into ${t} (${sql.raw(k.columns)}, contact_id)
      select ${sql.raw(k.columns)}, ${g}::bigint from jsonb_populate_recordset(null::${t}, ${JSON.stringify(theirs)}::jsonb)
      on conflict do nothing`);
    counts[table] = theirs.length;
  }
  await tx.execute(sql`delete from consent_records where id in ${ids(row.moved.consent_added)}`);
  await tx.execute(sql`
    delete from suppressions where source = 'merge'
      and address_hash in (select jsonb_array_elements_text(${JSON.stringify(row.moved.suppressions_added ?? [])}::jsonb))`);
  await tx.execute(sql`update orders set attributed_at = null where contact_id in (${s}, ${g})`);
  await tx.execute(sql`update customer_metrics set review_at = ${ts(o.now)} where contact_id = ${s}`);
  await tx.execute(sql`update contact_merges set reverted_at = ${ts(o.now)}, reverted_by = ${o.by} where id = ${mergeId}`);
  return { mergeId, survivor: s, restored: g, counts };
}
