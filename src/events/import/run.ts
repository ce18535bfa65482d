import { appendConsent, type ConsentAppend, currentConsent } from '../../storage/consent';
import { identifiersOf } from '../../contacts/identifiers';
import { identifierOwners } from '../../storage/identifiers';
import type { Database, Db, Tx } from '../../storage/db';
import { openImportStaging, type StagedRow } from '../../storage/import-staging';
import { isUniqueViolation, pgError } from '../../storage/errors';
import { insertEvents } from '../../storage/events';
import { resolveContacts } from '../contacts';
import { defaultMergePolicy, type MergePolicy } from '../../contacts/resolve';
import { hashAddress } from '../../consent/address-hash';
import { liftErasedSuppressions } from '../../storage/gdpr';
import { csvRecords, ndjsonRecords } from './records';
import { IMPORT_PURPOSE, type ImportRow, interpretRecord, newRowCaches, type RowProblem } from './rows';

export type ImportFormat = 'csv' | 'ndjson';

export interface ImportOptions {
  format: ImportFormat;
  /** `--map`: header → field. */
  map?: Record<string, string>;
  /** Parse and validate everything, count what would be created or updated, write nothing. */
  dryRun?: boolean;
  /** Store a `contact.created` event for each contact the import creates, so journeys on it start. */
  trigger?: boolean;
  /** The import's time: dates withdrawals without `consent_at`, the trigger events, bounds `consent_at`. */
  now: Date;
  /**
   * Rows per transaction. Default 1000: on PostgreSQL (bench:import, 200 000 rows) 1000 ran at
   * 10 000 rows/s against 8 400 for 250, and 4000 gained nothing more — the per-row work (parsing,
   * checking, resolving identifiers), not the statements, is what costs.
   */
  batchSize?: number;
  /** MERGE_ON_EMAIL, MERGE_SOURCES: an import is source `import`. */
  mergePolicy?: MergePolicy;
  /** SUPPRESSION_KEY: lets a merge see erased addresses. */
  suppressionKey?: string;
  /** Each problem of a row that was not imported (the CLI writes them to the errors file). */
  onProblem?: (problem: RowProblem) => void;
  /** While the file is read and checked: records read so far. */
  onProgress?: (rowsRead: number) => void;
  /** While the contacts are written: distinct contact keys written so far, of how many. */
  onWrite?: (written: number, of: number) => void;
}

/** What an import did (or, in a dry run, would do). */
export interface ImportSummary {
  dry_run: boolean;
  /** Records read (not counting the header or blank lines). */
  rows: number;
  created: number;
  updated: number;
  /** Rows whose contact (same id, else same email) appeared earlier in the file: the last one wins. */
  duplicates: number;
  /** Rows not imported because of a problem (each problem is reported). */
  errors: number;
  /** Rows with a marketing grant but not its evidence: imported without consent. */
  without_consent: number;
  /** Consent ledger rows appended (grants and withdrawals). */
  consent_recorded: number;
  /** `contact.created` events stored (only with `trigger`). */
  triggered: number;
  /** Contacts merged into another because a row named identifiers of both (src/contacts/resolve.ts). */
  merged: number;
  /** Identifiers a row named that stayed with another contact (not merged: MERGE_ON_EMAIL off, or two erased addresses). */
  conflicts: number;
}

/**
 * Import a contact list read line by line (`lines`: a file through node:readline, a request
 * body), `batchSize` rows per transaction: one statement finds the stored contacts the batch
 * meets, one upserts them (`upsertContactIds`: a retry statement only when a row stayed open),
 * one reads their current marketing consent and one appends the new ledger rows; with
 * `trigger`, one more stores their `contact.created` events. Memory holds one batch plus the
 * set of contact keys seen (to count duplicates) — never the file.
 *
 * No journey starts from an import unless `trigger`: contacts are upserted directly, not
 * through event ingestion, so no event exists for the trigger phase of `tick` to act on.
 *
 * Idempotent: re-running a file updates the same contacts with the same values, and a consent row
 * is appended only when the ledger's current row for the purpose is older than `consent_at` (a
 * withdrawal: only when the contact is currently granted or pending) — so the second run appends
 * nothing. Trigger events have the dedupe key `import:contact.created:<contact id>`.
 */
export async function importContacts(database: Database, lines: AsyncIterable<string>, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = {
    dry_run: options.dryRun === true,
    rows: 0,
    created: 0,
    updated: 0,
    duplicates: 0,
    errors: 0,
    without_consent: 0,
    consent_recorded: 0,
    triggered: 0,
    merged: 0,
    conflicts: 0,
  };
  const size = options.batchSize ?? 1000;
  const caches = newRowCaches();
  // Take the lines' iterator before the first await: node:readline emits lines as the input
  // flows, and drops those emitted while nobody iterates (a network round trip is long enough).
  const iterator = lines[Symbol.asyncIterator]();
  const input: AsyncIterable<string> = { [Symbol.asyncIterator]: () => iterator };
  const staging = await openImportStaging(database, options.now);
  try {
    // 1. Read and check every record; stage the good rows (COPY on PostgreSQL), report the rest.
    let pending: StagedRow[] = [];
    const records = options.format === 'csv' ? csvRecords(input, options) : ndjsonRecords(input, options);
    for await (const record of records) {
      summary.rows++;
      if ('problem' in record) {
        summary.errors++;
        options.onProblem?.({ line: record.line, ...record.problem });
        continue;
      }
      const result = interpretRecord(record.line, record.values, options.now, caches);
      if (!result.ok) {
        summary.errors++;
        for (const p of result.problems) options.onProblem?.(p);
        continue;
      }
      if (result.row.withoutConsent) summary.without_consent++;
      pending.push({ ord: summary.rows, key: result.row.key, data: JSON.stringify(result.row) });
      if (pending.length >= STAGE_ROWS) {
        await staging.append(pending);
        pending = [];
        options.onProgress?.(summary.rows);
      }
    }
    await staging.append(pending);
    options.onProgress?.(summary.rows);

    // 2. A page of contact keys at a time: the rows of one key collapse (later values win), then one transaction writes the page.
    const keys = await staging.seal();
    let written = 0;
    let after: string | null = null;
    for (;;) {
      const page = await staging.page(after, size);
      if (page.length === 0) break;
      after = page.at(-1)!.key;
      const rows = page.map((p) => {
        summary.duplicates += p.rows.length - 1;
        return p.rows.map(revive).reduce(mergeRows);
      });
      const counted = await inTransaction(
        database.db,
        options.dryRun ? (tx) => dryRunBatch(tx, rows) : (tx) => writeBatch(tx, rows, options),
      );
      summary.created += counted.created;
      summary.updated += counted.updated;
      summary.consent_recorded += counted.consent;
      summary.triggered += counted.triggered;
      summary.merged += counted.merged ?? 0;
      summary.conflicts += counted.conflicts ?? 0;
      written += page.length;
      options.onWrite?.(written, keys);
    }
    return summary;
  } finally {
    await staging.drop();
  }
}

/** Rows staged per COPY (or insert on PGlite) while the file is read. */
const STAGE_ROWS = 5000;

/** A staged row back from JSON (its consent time a Date again). */
function revive(data: string): ImportRow {
  const row = JSON.parse(data) as ImportRow;
  if (row.consent) row.consent.occurredAt = new Date(row.consent.occurredAt as unknown as string);
  return row;
}

/** Later values win; an absent value keeps the earlier one; attributes merge (the upsert's rule). */
function mergeRows(earlier: ImportRow, later: ImportRow): ImportRow {
  const attributes =
    earlier.contact.attributes || later.contact.attributes ? { ...earlier.contact.attributes, ...later.contact.attributes } : undefined;
  const contact = { ...earlier.contact, ...later.contact, ...(attributes && { attributes }) };
  const consent = later.consent ?? earlier.consent;
  return { ...later, contact, ...(consent && { consent }) };
}

interface BatchCounts {
  created: number;
  updated: number;
  consent: number;
  triggered: number;
  merged?: number;
  conflicts?: number;
}

async function inTransaction(db: Db, step: (tx: Tx) => Promise<BatchCounts>): Promise<BatchCounts> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(step);
    } catch (err) {
      const code = pgError(err)?.code;
      if (attempt >= 5 || !(isUniqueViolation(err) || code === '40P01' || code === '40001')) throw err;
    }
  }
}

async function writeBatch(tx: Tx, rows: ImportRow[], options: ImportOptions): Promise<BatchCounts> {
  const resolved = await resolveContacts(
    tx,
    rows.map((r) => r.contact),
    {
      policy: options.mergePolicy ?? defaultMergePolicy(),
      source: 'import',
      now: options.now,
      ...(options.suppressionKey && { suppressionKey: options.suppressionKey }),
      describe: (i) => `import line ${rows[i]?.line ?? '?'}`,
    },
  );
  const ids = resolved.ids;
  // Contacts of this page: new ones, and stored ones (a merged contact's id is gone: not counted).
  const fresh = resolved.created;
  const isNew = new Set(fresh);
  const updated = new Set(ids.filter((id) => !isNew.has(id))).size;
  const consent = await newConsent(
    tx,
    rows.flatMap((r, i) => (r.consent ? [{ row: r, contactId: ids[i]! }] : [])),
  );
  await appendConsent(tx, consent);
  // An evidenced grant dated after a GDPR erasure of the address is the fresh consent the erasure waits for.
  if (options.suppressionKey) {
    const key = options.suppressionKey;
    const emailOf = new Map(rows.flatMap((r, i) => (r.contact.email ? [[ids[i]!, r.contact.email] as const] : [])));
    await liftErasedSuppressions(
      tx,
      consent.flatMap((c) => {
        const email = emailOf.get(c.contactId);
        return c.granted && email ? [{ addressHash: hashAddress(email, key), grantedAt: c.occurredAt }] : [];
      }),
    );
  }
  let triggered = 0;
  if (options.trigger && fresh.length) {
    const inserted = await insertEvents(
      tx,
      fresh.map((contactId) => ({
        dedupeKey: `import:contact.created:${contactId}`,
        type: 'contact.created',
        contactId,
        properties: { source: 'import' },
        occurredAt: options.now,
        receivedAt: options.now,
        source: 'import',
      })),
    );
    triggered = inserted.length;
  }
  return {
    created: fresh.length,
    updated,
    consent: consent.length,
    triggered,
    merged: resolved.merges.length,
    conflicts: resolved.conflicts.length,
  };
}

/** What the batch would do, from reads only (the same matching as `resolveContacts`). */
async function dryRunBatch(tx: Tx, rows: ImportRow[]): Promise<BatchCounts> {
  const owners = await identifierOwners(tx, [...new Set(rows.flatMap((r) => identifiersOf(r.contact)))]);
  let created = 0;
  const matched: Array<{ row: ImportRow; contactId: number }> = [];
  for (const r of rows) {
    // The contact of the row's strongest identifier someone holds (a merge the real run would make is counted as an update).
    const id = identifiersOf(r.contact)
      .map((i) => owners.get(i))
      .find((o) => o !== undefined);
    if (id === undefined) created++;
    else matched.push({ row: r, contactId: id });
  }
  const known = new Set(matched.map((m) => m.row));
  const newRows = rows.filter((r) => r.consent?.granted && !known.has(r)).length;
  const consent = await newConsent(
    tx,
    matched.filter((m) => m.row.consent),
  );
  return { created, updated: matched.length, consent: consent.length + newRows, triggered: 0 };
}

/**
 * The ledger rows to append: a grant or withdrawal only when the contact's current row for the
 * purpose is older than it (none counts as older); a withdrawal only over a grant or a pending
 * request. One statement reads the current rows.
 */
async function newConsent(tx: Tx, wanted: Array<{ row: ImportRow; contactId: number }>): Promise<ConsentAppend[]> {
  if (wanted.length === 0) return [];
  const current = new Map(
    (await currentConsent(tx, [...new Set(wanted.map((w) => w.contactId))], { purposes: [IMPORT_PURPOSE] })).map((c) => [c.contactId, c]),
  );
  const out: ConsentAppend[] = [];
  const taken = new Set<number>();
  for (const { row, contactId } of wanted) {
    const c = row.consent!;
    const now = current.get(contactId);
    if (taken.has(contactId)) continue;
    if (now && now.occurredAt.getTime() >= c.occurredAt.getTime()) continue;
    if (!c.granted && !(now && (now.granted || now.pending))) continue;
    taken.add(contactId);
    out.push({
      contactId,
      purpose: IMPORT_PURPOSE,
      granted: c.granted,
      text: c.text,
      textVersion: c.textVersion,
      source: c.source,
      ip: c.ip,
      userAgent: c.userAgent,
      occurredAt: c.occurredAt,
    });
  }
  return out;
}
