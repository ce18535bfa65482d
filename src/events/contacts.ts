import { type ContactUpsert, upsertContacts } from '../storage/contacts';
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
