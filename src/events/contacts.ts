import { type ContactUpsert, contactsWithEmails, getContacts, upsertContacts } from '../storage/contacts';
import type { Tx } from '../storage/db';
import type { ContactInput } from './types';

/**
 * The contacts of a batch, one upsert row per person: events of the same contact (by external
 * id, or by email when it has none) merge into one row, later values winning and attributes
 * merged in order. Rows are sorted by key so concurrent batches lock contacts in the same order.
 * `indexOf[i]` is the row of input i.
 */
export function collapseContacts(inputs: ContactInput[]): { rows: ContactUpsert[]; indexOf: number[] } {
  const emailOwner = new Map<string, string>();
  for (const c of inputs) if (c.externalId !== undefined && c.email !== undefined) emailOwner.set(c.email, `id:${c.externalId}`);
  const keyOf = (c: ContactInput) => (c.externalId !== undefined ? `id:${c.externalId}` : (emailOwner.get(c.email!) ?? `email:${c.email}`));
  const merged = new Map<string, ContactUpsert>();
  for (const c of inputs) {
    const key = keyOf(c);
    const prev = merged.get(key) ?? {};
    merged.set(key, {
      ...prev,
      ...definedOnly(c),
      ...(prev.attributes || c.attributes ? { attributes: { ...prev.attributes, ...c.attributes } } : {}),
    });
  }
  const keys = [...merged.keys()].sort();
  const position = new Map(keys.map((k, i) => [k, i]));
  return { rows: keys.map((k) => merged.get(k)!), indexOf: inputs.map((c) => position.get(keyOf(c))!) };
}

function definedOnly(c: ContactInput): ContactUpsert {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as ContactUpsert;
}

/**
 * Contact ids for `rows`, settling the rows one upsert statement leaves open (a concurrent
 * insert won the race, or two rows met the same stored contact) with another statement, which
 * sees the winner. Two rounds settle every case; the third is a guard.
 */
export async function upsertContactIds(tx: Tx, rows: ContactUpsert[]): Promise<number[]> {
  const ids = await upsertContacts(tx, rows);
  for (let round = 0; round < 3; round++) {
    const open = ids.flatMap((id, i) => (id === undefined ? [i] : []));
    if (open.length === 0) return ids as number[];
    const again = await upsertContacts(
      tx,
      open.map((i) => rows[i]!),
    );
    open.forEach((i, k) => (ids[i] = again[k]));
  }
  if (ids.some((id) => id === undefined)) throw new Error('contact upsert did not settle after 4 statements');
  return ids as number[];
}

/**
 * An email asked for on a contact that did not get it, because another contact holds it.
 *
 * The one rule for email conflicts, the same for events (API, batch, webhooks) and for
 * `PUT /v1/contacts/:id`: an email identifies one person, so the contact that has it keeps it,
 * and it is never moved or copied to a contact with another external id. The write still happens
 * — the event is stored, the other fields of the contact are set — and the answer carries an
 * `email_conflict` warning naming the contact that holds the address, so the sender can merge or
 * correct its ids. (Refusing instead would lose the event, and a batch is all-or-nothing.)
 */
export interface EmailConflict {
  /** The row of `rows` that asked for the email. */
  row: number;
  email: string;
  /** The external id of the contact that holds it (its internal id when it has none). */
  heldBy: string;
}

/** The rows of an upsert (with the ids it gave) whose email was not set because another contact holds it: two statements at most. */
export async function findEmailConflicts(tx: Tx, rows: ContactUpsert[], ids: number[]): Promise<EmailConflict[]> {
  const asked = rows.flatMap((r, row) => (r.email === undefined ? [] : [{ row, email: r.email, id: ids[row]! }]));
  if (asked.length === 0) return [];
  const stored = new Map((await getContacts(tx, [...new Set(asked.map((a) => a.id))])).map((c) => [c.id, c.email]));
  const missed = asked.filter((a) => stored.get(a.id) !== a.email);
  if (missed.length === 0) return [];
  const holders = new Map(
    (await contactsWithEmails(tx, [...new Set(missed.map((m) => m.email))])).map((c) => [c.email!, c.externalId ?? String(c.id)]),
  );
  return missed.map((m) => ({ row: m.row, email: m.email, heldBy: holders.get(m.email) ?? 'another contact' }));
}

/** The warning an answer carries for an email conflict (`field` as the caller wrote it). */
export function emailConflictWarning(field: string, conflict: EmailConflict) {
  return {
    field,
    code: 'email_conflict' as const,
    message: `${conflict.email} already belongs to contact ${conflict.heldBy}: it stays there and was not set on this contact`,
    held_by: conflict.heldBy,
  };
}
