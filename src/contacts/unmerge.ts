import { AppError } from '../errors';
import { type RevertResult, revertMerge } from '../storage/contact-unmerge';
import type { Database } from '../storage/db';

/** What `almanac contact unmerge` and `POST /v1/contact-merges/:id/revert` answer. */
export interface UnmergeReport {
  merge_id: number;
  survivor_contact_id: number;
  restored_contact_id: number;
  /** Rows moved back to the restored contact, per table. */
  moved_back: Record<string, number>;
  reverted_at: string;
}

/** The merge id of a route or the CLI: digits (400 naming `id` otherwise). */
export function mergeIdOf(raw: string): number {
  if (!/^\d{1,15}$/.test(raw))
    throw new AppError('validation_failed', `id: expected a merge id (digits), got "${raw.slice(0, 40)}"`, { details: { field: 'id' } });
  return Number(raw);
}

/**
 * Revert a merge in ONE transaction (src/storage/contact-unmerge.ts revertMerge says what comes
 * back and what stays). Unknown id → 404; reverted before → 409 saying when.
 */
export async function unmergeContacts(database: Database, mergeId: number, o: { by: string; now: Date }): Promise<UnmergeReport> {
  const result = await database.db.transaction((tx) => revertMerge(tx, mergeId, o));
  if (!result) throw new AppError('not_found', `no contact merge ${mergeId}`, { details: { merge: mergeId } });
  if ('already' in result)
    throw new AppError('conflict', `contact merge ${mergeId} was reverted at ${result.revertedAt.toISOString()}`, {
      details: { merge: mergeId, reverted_at: result.revertedAt.toISOString() },
    });
  return report(result, o.now);
}

const report = (r: RevertResult, now: Date): UnmergeReport => ({
  merge_id: r.mergeId,
  survivor_contact_id: r.survivor,
  restored_contact_id: r.restored,
  moved_back: r.counts,
  reverted_at: now.toISOString(),
});
