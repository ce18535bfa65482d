import { gdprRef } from '../contacts/identifiers';
import type { Database, Tx } from '../storage/db';
import {
  cancelSendsOfContact,
  contactByRef,
  countContactRows,
  deleteContact,
  deleteOutboxOfContact,
  type ErasureSource,
  exitRunsOfContact,
  insertErasure,
  suppressErasedAddress,
} from '../storage/gdpr';
import { hashAddress } from './address-hash';
import { identifiersOfContacts } from '../storage/identifiers';

export interface ErasureReport {
  /** The external id the erasure was asked for (the caller's own words; not stored anywhere). */
  id: string;
  /** False for a dry run (`almanac contact erase ID` without `--yes`): nothing was changed. */
  erased: boolean;
  /** The erasure log row (`erasures.id`); absent on a dry run. */
  erasure_id?: number;
  erased_at?: string;
  /** Rows per kind: what went (or would go). */
  counts: Record<string, number>;
  /** Whether the address was (or would be) kept as an `erased` suppression; false without an email or when already suppressed. */
  suppressed: boolean;
}

/**
 * GDPR erasure (`DELETE /v1/contacts/:id`, `almanac contact erase ID --yes`), in ONE transaction
 * under a lock on the contact row:
 *
 * 1. its active runs end (`exited`, exit reason `erased`) and its waiting sends (queued,
 *    deferred) become `cancelled` (`contact erased`); a send already claimed is stopped at
 *    hand-over, which needs an active run — and by the row being gone after commit;
 * 2. the outbox messages addressed to the person are **deleted** (they hold the address and the
 *    whole message): those of their sends, and any whose `to` is their address;
 * 3. the contact row is **deleted**, and the schema's foreign keys delete with it the events,
 *    consent ledger, runs, sends (attempts, links, clicks, opens), segment memberships and
 *    trigger skips. **Kept, detached**: orders (bookkeeping: source, order id, total, items, the
 *    contact reference set null) and attributions (campaign revenue; send reference set null).
 *    Nothing is scrubbed in place: a deleted row cannot leak a field we forgot to blank;
 * 4. the HMAC of each of its addresses (SUPPRESSION_KEY, normalised; a merged contact may have several) is suppressed for every purpose
 *    with reason `erased`, so a later re-import of the same address is never mailed — unless a
 *    fresh consent is recorded after the erasure (src/events/ingest.ts lifts `erased`
 *    suppressions only; an address already suppressed for a bounce or complaint keeps that row);
 * 5. the erasure is logged in `erasures`: the old numeric id, when, `api`/`cli`, the counts — no
 *    email, no external id.
 *
 * Undefined when no contact has this external id: erasing twice answers 404 the second time.
 * `dryRun`: the same counts from a read, nothing changed.
 */
export async function eraseContact(
  database: Database,
  externalId: string,
  o: { suppressionKey: string; source: ErasureSource; now: Date; dryRun?: boolean },
): Promise<ErasureReport | undefined> {
  return database.db.transaction((tx) => eraseInTransaction(tx, externalId, o));
}

async function eraseInTransaction(
  tx: Tx,
  externalId: string,
  o: { suppressionKey: string; source: ErasureSource; now: Date; dryRun?: boolean },
): Promise<ErasureReport | undefined> {
  const contact = await contactByRef(tx, gdprRef(externalId), { lock: !o.dryRun });
  if (!contact) return undefined;
  const counts = await countContactRows(tx, contact);
  if (o.dryRun) return { id: externalId, erased: false, counts, suppressed: contact.email !== null };
  // Every address the person is known by (a merged contact brings more than the one mailed).
  const emails = [
    ...new Set([
      ...(contact.email ? [contact.email] : []),
      ...(await identifiersOfContacts(tx, [contact.id])).filter((i) => i.kind === 'email').map((i) => i.identifier.slice('email:'.length)),
    ]),
  ];
  const runsExited = await exitRunsOfContact(tx, contact.id, o.now);
  const sendsCancelled = await cancelSendsOfContact(tx, contact.id, o.now);
  let outbox = 0;
  for (const email of emails.length ? emails : [null]) outbox += await deleteOutboxOfContact(tx, { id: contact.id, email });
  await deleteContact(tx, contact.id);
  let suppressed = false;
  for (const email of emails)
    suppressed = (await suppressErasedAddress(tx, hashAddress(email, o.suppressionKey), o.source, o.now)) || suppressed;
  const all = { ...counts, runs_exited: runsExited.length, sends_cancelled: sendsCancelled.length, outbox_messages: outbox };
  const erasureId = await insertErasure(tx, { contactId: contact.id, erasedAt: o.now, source: o.source, counts: all });
  return { id: externalId, erased: true, erasure_id: erasureId, erased_at: o.now.toISOString(), counts: all, suppressed };
}
