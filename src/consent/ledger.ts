import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../storage/db';
import { consentRecords } from '../storage/schema/index';

/** One grant or withdrawal with its evidence: who, what purpose, which text, how, from where, when. */
export interface ConsentAppend {
  contactId: number;
  purpose: string;
  granted: boolean;
  text?: string | null;
  textVersion?: string | null;
  /** How it was given: `shopify`, `api`, a form name, … */
  source: string;
  ip?: string | null;
  userAgent?: string | null;
  occurredAt: Date;
  /** The `consent.*` event this row came from, when it came from one. */
  eventId?: number | null;
}

/**
 * Append rows to the consent ledger in ONE statement. The ledger is append-only: a withdrawal is
 * a new row, never an update, so the history stays evidence.
 */
export async function appendConsent(tx: Tx, rows: ConsentAppend[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(consentRecords)
    .values(
      rows.map((r) => ({
        contactId: r.contactId,
        purpose: r.purpose,
        granted: r.granted,
        text: r.text ?? null,
        textVersion: r.textVersion ?? null,
        source: r.source,
        ip: r.ip ?? null,
        userAgent: r.userAgent ?? null,
        occurredAt: r.occurredAt,
        eventId: r.eventId ?? null,
      })),
    )
    .returning({ id: consentRecords.id });
  return inserted.length;
}

export interface ConsentState {
  contactId: number;
  purpose: string;
  granted: boolean;
  occurredAt: Date;
  source: string;
}

/**
 * The current consent of each contact per purpose (or for one purpose): the newest row by
 * `occurred_at` decides (ties: the later recorded). A purpose with no row is absent, which
 * means not granted.
 */
export async function currentConsent(tx: Tx, contactIds: number[], purpose?: string): Promise<ConsentState[]> {
  if (contactIds.length === 0) return [];
  const c = consentRecords;
  return tx
    .selectDistinctOn([c.contactId, c.purpose], {
      contactId: c.contactId,
      purpose: c.purpose,
      granted: c.granted,
      occurredAt: c.occurredAt,
      source: c.source,
    })
    .from(c)
    .where(purpose === undefined ? inArray(c.contactId, contactIds) : and(inArray(c.contactId, contactIds), eq(c.purpose, purpose)))
    .orderBy(c.contactId, c.purpose, desc(c.occurredAt), desc(c.id));
}
