import { and, desc, eq, inArray, lte } from 'drizzle-orm';
import type { Tx } from './db';
import { consentRecords } from './schema/index';

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
  /** A double opt-in request awaiting confirmation (`granted` must then be false). */
  pending?: boolean;
  /** On the grant that confirms a double opt-in: the pending row's id. */
  confirms?: number | null;
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
        pending: r.pending ?? false,
        confirms: r.confirms ?? null,
      })),
    )
    .returning({ id: consentRecords.id });
  return inserted.length;
}

export interface ConsentState {
  /** The deciding ledger row. */
  id: number;
  contactId: number;
  purpose: string;
  granted: boolean;
  /** A double opt-in request not (yet) confirmed: not granted. */
  pending: boolean;
  occurredAt: Date;
  source: string;
}

/**
 * The current consent of each contact per purpose: the newest ledger row by `occurred_at`
 * decides (ties: the later recorded). A purpose with no row is absent, which means not granted.
 * The one definition of "current consent": conditions' facts (`asOf` their `now`, so a virtual
 * clock sees the ledger as it was), the dispatcher's gate (no `asOf`: a withdrawal committed
 * before the claim wins whatever its `occurred_at`) and exports all read it here. The SQL
 * backend of the `consent:` condition (./conditions/sql.ts) is the same rule as a subquery.
 */
export async function currentConsent(
  tx: Tx,
  contactIds: number[],
  options: { purposes?: string[]; asOf?: Date } = {},
): Promise<ConsentState[]> {
  if (contactIds.length === 0 || options.purposes?.length === 0) return [];
  const c = consentRecords;
  return tx
    .selectDistinctOn([c.contactId, c.purpose], {
      id: c.id,
      contactId: c.contactId,
      purpose: c.purpose,
      granted: c.granted,
      pending: c.pending,
      occurredAt: c.occurredAt,
      source: c.source,
    })
    .from(c)
    .where(
      and(
        inArray(c.contactId, contactIds),
        options.purposes ? inArray(c.purpose, options.purposes) : undefined,
        options.asOf ? lte(c.occurredAt, options.asOf) : undefined,
      ),
    )
    .orderBy(c.contactId, c.purpose, desc(c.occurredAt), desc(c.id));
}

/** One ledger row with its evidence (the double opt-in confirmation reads the request it confirms). */
export async function consentRecord(tx: Tx, id: number) {
  const [row] = await tx.select().from(consentRecords).where(eq(consentRecords.id, id)).limit(1);
  return row;
}
