import { hashAddress } from '../consent/address-hash';
import { emailIdentifier, externalIdentifier, identifiersOf, kindOf } from '../contacts/identifiers';
import {
  afterMerge,
  pairKey,
  type ConflictReason,
  defaultMergePolicy,
  type MergePolicy,
  mayMerge,
  type ResolveContext,
  resolveRow,
} from '../contacts/resolve';
import { type MergeResult, mergeContacts } from '../storage/contact-merge';
import { type ContactUpsert, insertContacts, updateContacts } from '../storage/contacts';
import { erasedContacts, holderNames, revertedPairs } from '../storage/contact-lookups';
import { addIdentifiers, identifierOwners, lockIdentifiers } from '../storage/identifiers';
import type { Tx } from '../storage/db';
import type { ContactInput } from './types';

/**
 * The contacts of a batch, one upsert row per person: rows naming the same identifier (an id, a
 * Shopify customer, a phone) are one person; rows sharing only an email are one when the rules
 * let this source merge by email (src/contacts/resolve.ts), and otherwise an email-only row joins
 * the first row with other identifiers that names the address. Later values win, attributes merge
 * in order, identifiers are the union. Rows are sorted by key so concurrent batches lock contacts
 * in the same order. `indexOf[i]` is the row of input i.
 */
export function collapseContacts(
  inputs: ContactInput[],
  rules: { policy: MergePolicy; source: string } = { policy: defaultMergePolicy(), source: 'api' },
): { rows: ContactUpsert[]; indexOf: number[] } {
  const parent = inputs.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const union = (a: number, b: number) => {
    const [x, y] = [find(a), find(b)];
    if (x !== y) parent[Math.max(x, y)] = Math.min(x, y);
  };
  const ids = inputs.map((c) => identifiersOf(c));
  const emailOnly = (i: number) => ids[i]!.every((x) => kindOf(x) === 'email');
  const naming = new Map<string, number[]>();
  ids.forEach((list, i) => list.forEach((x) => naming.set(x, [...(naming.get(x) ?? []), i])));
  for (const [x, rowsOf] of naming) {
    if (kindOf(x) !== 'email' || mayMerge(rules.policy, rules.source, [x])) {
      rowsOf.forEach((i) => union(rowsOf[0]!, i));
      continue;
    }
    // Not merged by email: rows with ids stay apart, rows with only the address join the first with ids (else each other).
    const anchor = rowsOf.find((i) => !emailOnly(i)) ?? rowsOf[0]!;
    rowsOf.filter(emailOnly).forEach((i) => union(anchor, i));
  }
  const merged = new Map<number, ContactUpsert>();
  inputs.forEach((c, i) => {
    const root = find(i);
    const prev = merged.get(root) ?? {};
    const identifiers = [...new Set([...(prev.identifiers ?? []), ...ids[i]!])];
    merged.set(root, {
      ...prev,
      ...definedOnly(c),
      ...(prev.externalId !== undefined && { externalId: prev.externalId }),
      ...(prev.attributes || c.attributes ? { attributes: { ...prev.attributes, ...c.attributes } } : {}),
      identifiers,
    });
  });
  const keyOf = (root: number) => merged.get(root)!.identifiers!.slice().sort()[0]!;
  const roots = [...merged.keys()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : a - b));
  const position = new Map(roots.map((r, k) => [r, k]));
  return { rows: roots.map((r) => merged.get(r)!), indexOf: inputs.map((_, i) => position.get(find(i))!) };
}

function definedOnly(c: ContactInput): ContactUpsert {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as ContactUpsert;
}

/** How contacts are resolved and merged: the rules, who is writing, and the key that finds erased addresses. */
export interface ResolveOptions {
  policy: MergePolicy;
  source: string;
  now: Date;
  /** SUPPRESSION_KEY: without it erasures cannot be seen, and no merge happens between contacts with emails. */
  suppressionKey?: string;
  /** Words for the merge record: what linked them (`event ev-1`). */
  describe?: (row: number) => string;
}

/** An identifier a row named that stayed with another contact (see resolveRow). */
export interface IdentifierConflict {
  row: number;
  identifier: string;
  /** The contact holding it: its external id, else its first identifier, else `#<id>`. */
  heldBy: string;
  reason: ConflictReason;
}

export interface ResolvedContacts {
  ids: number[];
  /** The contacts this call created (the rest of `ids` were stored already). */
  created: number[];
  conflicts: IdentifierConflict[];
  merges: MergeResult[];
}

/**
 * The contact of each row, in the caller's transaction: lock the rows' identifiers, find who
 * holds them, merge contacts a row links (when the rules allow), create contacts for rows no one
 * holds, update the others, and give each contact the identifiers it named that no one held.
 * About six statements a batch, plus one merge's worth for each merge (rare).
 */
export async function resolveContacts(tx: Tx, rows: ContactUpsert[], o: ResolveOptions): Promise<ResolvedContacts> {
  const lists = rows.map((r) => identifiersOf(r));
  const all = [...new Set(lists.flat())];
  await lockIdentifiers(tx, all);
  const owners = await identifierOwners(tx, all);
  const candidates = [
    ...new Set(
      lists.flatMap((l) => {
        const held = new Set(l.flatMap((i) => (owners.has(i) ? [owners.get(i)!] : [])));
        return held.size > 1 ? [...held] : [];
      }),
    ),
  ];
  const ctx: ResolveContext = {
    policy: o.policy,
    source: o.source,
    erased:
      candidates.length && o.suppressionKey ? await erasedContacts(tx, candidates, (e) => hashAddress(e, o.suppressionKey!)) : new Set(),
    reverted: new Set(candidates.length ? (await revertedPairs(tx, candidates)).map(([a, b]) => pairKey(a, b)) : []),
  };
  const ids: number[] = [];
  const conflicts: Array<Omit<IdentifierConflict, 'heldBy'> & { holder: number }> = [];
  const merges: MergeResult[] = [];
  const fresh: number[] = [];
  const claims: Array<{ row: number; identifiers: string[] }> = [];
  for (const [row, list] of lists.entries()) {
    const r = resolveRow(list, owners, ctx);
    for (const m of r.merges) {
      merges.push(
        await mergeContacts(tx, {
          ...m,
          source: o.source,
          reason: `${o.describe?.(row) ?? `a ${o.source} write`} named ${m.via.join(' and ')}`,
          now: o.now,
          ...(o.suppressionKey && { hash: (e: string) => hashAddress(e, o.suppressionKey!) }),
        }),
      );
      afterMerge(owners, m.survivor, m.merged);
      ids.forEach((id, k) => id === m.merged && (ids[k] = m.survivor));
    }
    for (const c of r.conflicts) conflicts.push({ row, identifier: c.identifier, holder: c.heldBy, reason: c.reason });
    // A new contact: a placeholder below 0 until the insert gives it an id.
    const id = r.contactId ?? -(fresh.push(row) as number);
    ids.push(id);
    for (const i of r.claim) owners.set(i, id);
    claims.push({ row, identifiers: r.claim });
  }
  // The row's fields; the email and external id only when the contact holds them (not a conflict).
  const holds = (row: number, identifier: string) => owners.get(identifier) === ids[row];
  const write = (row: number) => {
    const { identifiers: _ignored, ...fields } = rows[row]!;
    const email = fields.email !== undefined && holds(row, emailIdentifier(fields.email)) ? fields.email : undefined;
    const externalId = fields.externalId !== undefined && holds(row, externalIdentifier(fields.externalId)) ? fields.externalId : undefined;
    return { ...fields, email, externalId };
  };
  const created = await insertContacts(tx, fresh.map(write));
  const real = (id: number) => (id < 0 ? created[-id - 1]! : id);
  for (let k = 0; k < ids.length; k++) ids[k] = real(ids[k]!);
  const updates = new Map<number, ReturnType<typeof write> & { id: number }>();
  const isFresh = new Set(fresh);
  lists.forEach((_, row) => {
    if (isFresh.has(row)) return;
    const w = write(row);
    const prev = updates.get(ids[row]!);
    updates.set(
      ids[row]!,
      prev ? { ...prev, ...definedOnly(w), attributes: { ...prev.attributes, ...w.attributes }, id: ids[row]! } : { ...w, id: ids[row]! },
    );
  });
  await updateContacts(tx, [...updates.values()]);
  await addIdentifiers(
    tx,
    claims.flatMap((c) => c.identifiers.map((identifier) => ({ identifier, contactId: ids[c.row]!, source: o.source }))),
  );
  const holders = await holderNames(tx, [...new Set(conflicts.map((c) => real(c.holder)))]);
  return {
    ids,
    created,
    merges,
    conflicts: conflicts.map(({ holder, ...c }) => ({ ...c, heldBy: holders.get(real(holder)) ?? `#${real(holder)}` })),
  };
}

/** The ids of `resolveContacts` (default: the default rules, source `api`, now). */
export async function upsertContactIds(tx: Tx, rows: ContactUpsert[], o: Partial<ResolveOptions> = {}): Promise<number[]> {
  return (await resolveContacts(tx, rows, { policy: defaultMergePolicy(), source: 'api', now: new Date(), ...o })).ids;
}

/**
 * The warning an answer carries when a row's identifier stayed with another contact, or a note
 * that contacts were merged (`field` as the caller wrote it). The write still happens — the event
 * is stored, the other fields of the contact are set: refusing would lose the event, and a batch
 * is all-or-nothing. `email_conflict`: the address belongs to another contact that the rules did
 * not merge with this one (MERGE_ON_EMAIL off, or an untrusted source); `identifier_conflict`: the
 * same for an id; `merge_refused`: a merge the rules would make was refused (both contacts carry
 * an erased address, or their merge was reverted before).
 */
export function conflictWarning(field: string, c: IdentifierConflict) {
  const kind = kindOf(c.identifier);
  const code =
    c.reason !== 'not_merged'
      ? ('merge_refused' as const)
      : kind === 'email'
        ? ('email_conflict' as const)
        : ('identifier_conflict' as const);
  const what = kind === 'email' ? c.identifier.slice('email:'.length) : c.identifier;
  const why =
    c.reason === 'erased'
      ? ': both contacts carry an address erased under GDPR, so they are not merged'
      : c.reason === 'unmerged'
        ? ': a merge of these two contacts was reverted, so they are kept apart'
        : '';
  return {
    field,
    code,
    message: `${what} already belongs to contact ${c.heldBy}: it stays there and was not set on this contact${why}`,
    held_by: c.heldBy,
  };
}

/** The note an answer carries for a merge its write caused. */
export function mergeWarning(field: string, m: MergeResult, names: { survivor: string; merged: string }) {
  return {
    field,
    code: 'contacts_merged' as const,
    message: `contact ${names.merged} was merged into contact ${names.survivor} (merge ${m.mergeId}): one person, named by identifiers of both`,
    merge_id: m.mergeId,
  };
}
