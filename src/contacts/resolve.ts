import { DEFAULT_MERGE_SOURCES, type MergePolicy } from '../config';
import { kindOf } from './identifiers';

/**
 * When an event (an import row, a `PUT`) names identifiers held by two different contacts, they
 * are one person and merge — if the rules allow (config `MERGE_ON_EMAIL`, `MERGE_SOURCES`):
 *
 * - the source must be trusted to merge (`MERGE_SOURCES`, default `api,shopify,import,cli,simulate`:
 *   a public form or an unknown webhook source could otherwise join two people by typing an address);
 * - a link through an email address alone needs `MERGE_ON_EMAIL` (default true: a normalised email
 *   match merges); a link through an id (`external:`, `shopify:`, `phone:`) needs only the trust;
 * - two contacts that each carry an address erased under GDPR (an `erased` suppression with no
 *   fresh grant since) never merge: that would join two people who asked to be forgotten;
 * - two contacts whose merge was reverted do not merge again: someone decided they are two people.
 *
 * Otherwise the event goes to the contact of its strongest identifier and the other identifiers
 * stay where they are (a conflict the answer reports). The survivor of a merge is the older
 * contact (the smaller id).
 */
export type { MergePolicy };

export const defaultMergePolicy = (): MergePolicy => ({ onEmail: true, sources: new Set(DEFAULT_MERGE_SOURCES) });

/** Whether the rules let `source` join two contacts through these identifiers (before erasures and reverts). */
export function mayMerge(policy: MergePolicy, source: string, via: readonly string[]): boolean {
  if (!policy.sources.has(source)) return false;
  return policy.onEmail || via.some((i) => kindOf(i) !== 'email');
}

export type ConflictReason = 'not_merged' | 'erased' | 'unmerged';

export interface RowResolution {
  /** The contact the row belongs to; undefined: a new one. */
  contactId?: number;
  /** Merges to carry out, in order: `merged` into `survivor`. */
  merges: Array<{ survivor: number; merged: number; via: string[] }>;
  /** Identifiers of the row left with another contact, and why. */
  conflicts: Array<{ identifier: string; heldBy: number; reason: ConflictReason }>;
  /** Identifiers no one holds: the row's contact takes them. */
  claim: string[];
}

export interface ResolveContext {
  policy: MergePolicy;
  source: string;
  /** Contacts carrying an address under an erasure suppression. */
  erased: ReadonlySet<number>;
  /** `a:b` (smaller id first) for pairs whose merge was reverted. */
  reverted: ReadonlySet<string>;
}

export const pairKey = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);

/**
 * Which contact a row of identifiers (strongest first) belongs to, given who holds which
 * identifier now. Ids below 0 are contacts this batch will create: never merged, only held.
 */
export function resolveRow(identifiers: readonly string[], owners: ReadonlyMap<string, number>, ctx: ResolveContext): RowResolution {
  const byOwner = new Map<number, string[]>();
  for (const i of identifiers) {
    const o = owners.get(i);
    if (o !== undefined) byOwner.set(o, [...(byOwner.get(o) ?? []), i]);
  }
  const claim = identifiers.filter((i) => !owners.has(i));
  if (byOwner.size === 0) return { merges: [], conflicts: [], claim };
  // The row's contact: the holder of its strongest id; with no id held, the holder of its email —
  // at once for a row of addresses only, and for a row bringing a new id only if an email may link them.
  const owned = identifiers.filter((i) => owners.has(i));
  const heldId = owned.find((i) => kindOf(i) !== 'email');
  const hasIds = identifiers.some((i) => kindOf(i) !== 'email');
  let contactId: number | undefined =
    heldId !== undefined
      ? owners.get(heldId)!
      : !hasIds || mayMerge(ctx.policy, ctx.source, [owned[0]!])
        ? owners.get(owned[0]!)!
        : undefined;
  const others = [...byOwner.keys()].filter((o) => o !== contactId);
  const merges: RowResolution['merges'] = [];
  const conflicts: RowResolution['conflicts'] = [];
  for (const other of others) {
    const via = byOwner.get(other)!;
    const reason: ConflictReason | undefined =
      contactId === undefined || contactId < 0 || other < 0 || !mayMerge(ctx.policy, ctx.source, via)
        ? 'not_merged'
        : ctx.erased.has(contactId) && ctx.erased.has(other)
          ? 'erased'
          : ctx.reverted.has(pairKey(contactId, other))
            ? 'unmerged'
            : undefined;
    if (reason) {
      conflicts.push(...via.map((identifier) => ({ identifier, heldBy: other, reason })));
      continue;
    }
    const survivor = Math.min(contactId!, other);
    const merged = Math.max(contactId!, other);
    merges.push({ survivor, merged, via: [...(byOwner.get(survivor) ?? []), ...(byOwner.get(merged) ?? [])] });
    byOwner.set(survivor, [...(byOwner.get(survivor) ?? []), ...(byOwner.get(merged) ?? [])]);
    contactId = survivor;
  }
  return { ...(contactId !== undefined && { contactId }), merges, conflicts, claim };
}

/** Who holds what after `merged` joined `survivor`. */
export function afterMerge(owners: Map<string, number>, survivor: number, merged: number): void {
  for (const [i, o] of owners) if (o === merged) owners.set(i, survivor);
}
