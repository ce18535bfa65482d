import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { knownRank } from './contacts';
import { exitRuns } from './run-moves';
import { rowsOf, ts } from './sql-values';

/** Tables whose rows simply change contact: every id is recorded so a revert moves the same rows back. */
export const MOVED_TABLES = ['runs', 'sends', 'events', 'orders', 'clicks', 'opens', 'trigger_skips', 'consent_records'] as const;
type MovedTable = (typeof MOVED_TABLES)[number];

/** Tables keyed by contact (with other columns): the merged contact's rows are copied over (kept on a clash) and recorded whole. */
export const KEYED = {
  campaign_entries: { key: ['campaign', 'held_out'], value: 'entered_at', columns: 'campaign, held_out, entered_at' },
  campaign_recipients: { key: ['campaign'], value: 'first_sent_at', columns: 'campaign, first_sent_at' },
  segment_memberships: { key: ['segment'], value: 'entered_at', columns: 'segment, entered_at' },
} as const;
export type KeyedTable = keyof typeof KEYED;

export const MERGED_EXIT_REASON = 'merged';
export const MERGED_SEND_REASON = 'contact merged';

export interface MergeRequest {
  survivor: number;
  merged: number;
  /** The identifiers that linked them (the event named them together). */
  via: string[];
  /** Who asked: the ingest source (`api`, `shopify`, `import`…) or `cli`. */
  source: string;
  /** Why, in words: `event ev-1 named external:app:u-2 and email:ana@example.com`. */
  reason: string;
  now: Date;
  /**
   * The suppression hash of an address (SUPPRESSION_KEY). Given, a complaint (`marketing` scope)
   * or an erasure's suppression on an address of the merged contact also suppresses the survivor's
   * address: those are the person's wishes, not the mailbox's (a hard bounce stays with its address).
   */
  hash?: (email: string) => string;
}

export interface MergeResult {
  mergeId: number;
  survivor: number;
  merged: number;
  /** Rows that changed hands, per table. */
  counts: Record<string, number>;
  /** Runs ended because the other contact had an active run of the same campaign. */
  collapsedRuns: number[];
  /** Purposes a withdrawal was recorded for, because one side had withdrawn. */
  withdrawals: string[];
  /** How an answer names the two: the external id, else the email, else `#<id>`. */
  names: { survivor: string; merged: string };
}

/**
 * Merge contact `merged` into `survivor` in the caller's transaction (the batch's: one commit):
 *
 * 1. both rows are locked; the merged contact's row and identifiers are kept in the merge record;
 * 2. **in-flight runs collapse**: for each campaign in which both have an active run, the run that
 *    started first keeps going and the other contact's active runs of it end (`exited`, reason
 *    `merged`), their waiting sends `cancelled` (`contact merged`) — so the person never gets the
 *    same step twice from two journeys;
 * 3. runs, sends, events, orders, clicks, opens, trigger skips and the consent ledger move to the
 *    survivor (a run whose entry key the survivor already used gets `:merged:<old id>` appended, so
 *    a once-only campaign stays once); campaign entries, recipients and segment memberships are
 *    copied over (the earlier time kept);
 * 4. **the most restrictive consent wins**: per purpose, when either side's current state is a
 *    withdrawal but the combined ledger's newest row is not, a withdrawal is recorded now (source
 *    `merge`) — until a fresh grant. Suppressions are per address and stay with the address;
 * 5. identifiers move; the survivor adopts the external id and email it lacked, attributes merge
 *    (the survivor's win), a stated zone/locale beats a guessed one; the merged row is deleted;
 * 6. orders of the survivor are marked for attribution again (credits over the joined history)
 *    and its customer metrics for review.
 *
 * The caller checks the rules (sources, erasures: src/contacts/resolve.ts) first.
 */
export async function mergeContacts(tx: Tx, m: MergeRequest): Promise<MergeResult> {
  const { survivor: s, merged: g, now } = m;
  const people = rowsOf<Record<string, unknown> & { id: string | number }>(
    await tx.execute(sql`select * from contacts where id in (${s}, ${g}) order by id for update`),
  );
  const before = people.find((p) => Number(p.id) === s);
  const gone = people.find((p) => Number(p.id) === g);
  if (!before || !gone) throw new Error(`merge of contact ${g} into ${s}: both must exist`);
  const identifiers = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`select identifier, kind, source, created_at from contact_identifiers where contact_id = ${g} order by identifier`),
  );

  // 2. Collapse in-flight runs of the same campaign: the earliest-started run's contact keeps its own.
  const losers = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      with active as (
        select id, campaign, contact_id, started_at from runs where contact_id in (${s}, ${g}) and status = 'active'
      ), first as (
        select distinct on (campaign) campaign, contact_id from active
        where campaign in (select campaign from active group by campaign having count(distinct contact_id) = 2)
        order by campaign, started_at, id
      )
      select a.id from active a join first f on f.campaign = a.campaign and f.contact_id <> a.contact_id order by a.id`),
  ).map((r) => Number(r.id));
  await exitRuns(
    tx,
    losers.map((id) => ({ id, reason: MERGED_EXIT_REASON })),
    now,
  );
  const cancelled = losers.length
    ? rowsOf<{ id: string | number }>(
        await tx.execute(sql`
          update sends set status = 'cancelled', reason = ${MERGED_SEND_REASON}, settled_at = ${ts(now)}, lease_until = null
          where run_id in (select (jsonb_array_elements_text(${JSON.stringify(losers.map(String))}::jsonb))::bigint)
            and status in ('queued', 'deferred')
          returning id`),
      ).map((r) => Number(r.id))
    : [];

  // 4 (read before the ledger moves). Purposes one side withdrew while the other's newer row grants.
  const withdrawals = rowsOf<{ purpose: string; withdrawn_on: string | number; record: string | number }>(
    await tx.execute(sql`
      with latest as (
        select distinct on (contact_id, purpose) contact_id, purpose, granted, pending, id, occurred_at
        from consent_records where contact_id in (${s}, ${g}) order by contact_id, purpose, occurred_at desc, id desc
      ), combined as (
        select distinct on (purpose) purpose, granted, pending from latest order by purpose, occurred_at desc, id desc
      )
      select l.purpose, l.contact_id as withdrawn_on, l.id as record from latest l join combined c on c.purpose = l.purpose
      where not l.granted and not l.pending and (c.granted or c.pending)
      order by l.purpose`),
  );

  // 3. Entry keys the survivor already used get a suffix, then every row moves.
  const rekeyed = rowsOf<{ id: string | number; entry_key: string }>(
    await tx.execute(sql`
      update runs r set entry_key = r.entry_key || ${`:merged:${g}`}
      where r.contact_id = ${g} and exists (select 1 from runs o where o.contact_id = ${s} and o.campaign = r.campaign and o.entry_key = r.entry_key)
      returning r.id, r.entry_key`),
  ).map((r) => Number(r.id));
  const moved: Partial<Record<MovedTable, number[]>> = {};
  for (const table of MOVED_TABLES) {
    moved[table] = rowsOf<{ id: string | number }>(
      await tx.execute(sql`update ${sql.identifier(table)} set contact_id = ${s} where contact_id = ${g} returning id`),
    ).map((r) => Number(r.id));
  }
  const holdoutOrders = rowsOf(
    await tx.execute(sql`update holdout_orders set contact_id = ${s} where contact_id = ${g} returning order_id`),
  ).length;
  const keyed: Partial<Record<KeyedTable, unknown[]>> = {};
  // The survivor's own keys of each such table, so a revert removes only the copies it was given.
  const own: Partial<Record<KeyedTable, unknown[]>> = {};
  for (const [table, k] of Object.entries(KEYED) as Array<[KeyedTable, (typeof KEYED)[KeyedTable]]>) {
    const t = sql.identifier(table);
    keyed[table] = rowsOf(await tx.execute(sql`delete from ${t} where contact_id = ${g} returning ${sql.raw(k.columns)}`));
    if (keyed[table]!.length === 0) continue;
    own[table] = rowsOf(await tx.execute(sql`select ${sql.raw(k.key.join(', '))} from ${t} where contact_id = ${s}`));
    const conflict = sql.raw([...k.key, 'contact_id'].join(', '));
    const value = sql.raw(k.value);
    await tx.execute(sql`
      insert into ${t} (${sql.raw(k.columns)}, contact_id)
      select ${sql.raw(k.columns)}, ${s}::bigint from jsonb_populate_recordset(null::${t}, ${JSON.stringify(keyed[table])}::jsonb)
      on conflict (${conflict}) do update set ${value} = least(${t}.${value}, excluded.${value})`);
  }

  const added = withdrawals.length
    ? rowsOf<{ id: string | number }>(
        await tx.execute(sql`
          insert into consent_records (contact_id, purpose, granted, text, source, occurred_at, recorded_at)
          select ${s}::bigint, w.purpose, false, w.text, 'merge', ${ts(now)}, ${ts(now)}
          from jsonb_to_recordset(${JSON.stringify(
            withdrawals.map((w) => ({
              purpose: w.purpose,
              text: `withdrawn on contact #${w.withdrawn_on} (ledger record ${w.record}) before it was merged: kept until a fresh grant`,
            })),
          )}::jsonb) as w(purpose text, text text)
          returning id`),
      ).map((r) => Number(r.id))
    : [];

  // 5. Identifiers, the merged row, the survivor's fields; 6. analytics and attribution again.
  const movedIdentifiers = rowsOf(
    await tx.execute(sql`update contact_identifiers set contact_id = ${s} where contact_id = ${g} returning identifier`),
  ).length;
  const metrics = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`delete from customer_metrics where contact_id = ${g} returning contact_id`),
  ).length;
  await tx.execute(sql`delete from rfm_scores where contact_id = ${g}`);
  // Merges the merged contact survived before now belong to the survivor (the row would go with it, and its audit trail).
  await tx.execute(sql`update contact_merges set survivor_id = ${s} where survivor_id = ${g}`);
  await tx.execute(sql`delete from contacts where id = ${g}`);
  await tx.execute(sql`
    update contacts c set
      external_id = coalesce(c.external_id, ${(gone.external_id as string | null) ?? null}::text),
      email = coalesce(c.email, ${(gone.email as string | null) ?? null}::text),
      attributes = ${JSON.stringify(gone.attributes ?? {})}::jsonb || c.attributes,
      timezone = case when ${knownRank(sql`${gone.timezone_source ?? null}::text`)} > ${knownRank(sql`c.timezone_source`)}
        then coalesce(${gone.timezone ?? null}::text, c.timezone) else c.timezone end,
      timezone_source = case when ${knownRank(sql`${gone.timezone_source ?? null}::text`)} > ${knownRank(sql`c.timezone_source`)}
        then coalesce(${gone.timezone_source ?? null}::text, c.timezone_source) else c.timezone_source end,
      locale = case when ${knownRank(sql`${gone.locale_source ?? null}::text`)} > ${knownRank(sql`c.locale_source`)}
        then coalesce(${gone.locale ?? null}::text, c.locale) else c.locale end,
      locale_source = case when ${knownRank(sql`${gone.locale_source ?? null}::text`)} > ${knownRank(sql`c.locale_source`)}
        then coalesce(${gone.locale_source ?? null}::text, c.locale_source) else c.locale_source end,
      lifecycle_stage = coalesce(c.lifecycle_stage, ${(gone.lifecycle_stage as string | null) ?? null}::text),
      created_at = least(c.created_at, ${ts(asDate(gone.created_at))}),
      updated_at = ${ts(now)}
    where c.id = ${s}`);
  const suppressed = m.hash
    ? await carrySuppressions(
        tx,
        s,
        [gone.email, ...identifiers.filter((i) => i.kind === 'email').map((i) => String(i.identifier).slice(6))],
        m.hash,
        now,
      )
    : [];
  await tx.execute(sql`update orders set attributed_at = null where contact_id = ${s}`);
  await tx.execute(sql`update customer_metrics set review_at = ${ts(now)} where contact_id = ${s}`);

  const counts: Record<string, number> = {
    ...Object.fromEntries(MOVED_TABLES.map((t) => [t, moved[t]!.length])),
    holdout_orders: holdoutOrders,
    ...Object.fromEntries(Object.keys(KEYED).map((t) => [t, keyed[t as KeyedTable]!.length])),
    identifiers: movedIdentifiers,
    customer_metrics: metrics,
  };
  const [row] = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      insert into contact_merges (survivor_id, merged_id, via, source, reason, snapshot, moved, merged_at)
      values (${s}, ${g}, ${JSON.stringify(m.via)}::jsonb, ${m.source}, ${m.reason},
        ${JSON.stringify({ contact: gone, identifiers, survivor_before: before, survivor_keyed: own })}::jsonb,
        ${JSON.stringify({ ...moved, ...keyed, rekeyed_runs: rekeyed, collapsed_runs: losers, cancelled_sends: cancelled, consent_added: added, suppressions_added: suppressed, counts })}::jsonb,
        ${ts(now)})
      returning id`),
  );
  return {
    mergeId: Number(row!.id),
    survivor: s,
    merged: g,
    counts,
    collapsedRuns: losers,
    withdrawals: withdrawals.map((w) => w.purpose),
    names: { survivor: nameOf(before, s), merged: nameOf(gone, g) },
  };
}

const nameOf = (row: Record<string, unknown>, id: number): string =>
  typeof row.external_id === 'string' ? row.external_id : typeof row.email === 'string' ? row.email : `#${id}`;

export const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/**
 * Suppress the survivor's address for what the person asked on another of their addresses: the
 * widest complaint (`marketing`) or erasure (`all`) suppression among them, unless the survivor's
 * address is suppressed already. Returns the hashes added.
 */
async function carrySuppressions(
  tx: Tx,
  survivor: number,
  emails: unknown[],
  hash: (email: string) => string,
  now: Date,
): Promise<string[]> {
  const [own] = rowsOf<{ email: string | null }>(await tx.execute(sql`select email from contacts where id = ${survivor}`));
  const theirs = [...new Set(emails.filter((e): e is string => typeof e === 'string' && e !== own?.email))];
  if (!own?.email || theirs.length === 0) return [];
  const rows = rowsOf<{ address_hash: string }>(
    await tx.execute(sql`
      insert into suppressions (address_hash, reason, source, scope, created_at)
      select ${hash(own.email)}::text, reason, 'merge', scope, ${ts(now)} from suppressions
      where address_hash in (select jsonb_array_elements_text(${JSON.stringify(theirs.map(hash))}::jsonb))
        and (scope = 'marketing' or reason = 'erased')
      order by scope = 'all' desc limit 1
      on conflict (address_hash) do nothing
      returning address_hash`),
  );
  return rows.map((r) => r.address_hash);
}
