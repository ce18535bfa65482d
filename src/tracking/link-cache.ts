export interface LinkTargets<T> {
  get(linkId: number): Promise<T | undefined>;
}

/**
 * The click redirect's link lookups, kept in memory, so a campaign's burst of clicks on the same
 * few links costs one query per link, not one per click. A link row changes only when its send is
 * retried after a failed provider call (the same position, its URL written again: for the same
 * template link, the same target); a cached entry is at most `ttlMs` old.
 * At most `maxEntries` links (least recently used go first), each for `ttlMs` of wall time, so a
 * link erased with its contact (GDPR erase) stops redirecting within that time; the click
 * recorder drops clicks on links that are gone (src/tracking/recorder.ts). Concurrent lookups of
 * one link share one query. Unknown links are not remembered. `read` may derive what the caller
 * needs from the row (the redirect keeps the checked target URL), so that is done once per fill.
 */
export function cachedLinkTargets<T>(
  read: (linkId: number) => Promise<T | undefined>,
  o: { maxEntries?: number; ttlMs?: number; now?: () => number } = {},
): LinkTargets<T> {
  const max = o.maxEntries ?? 10_000;
  const ttl = o.ttlMs ?? 60_000;
  const now = o.now ?? Date.now;
  const entries = new Map<number, { until: number; target: Promise<T | undefined> }>();
  return {
    get(linkId) {
      const hit = entries.get(linkId);
      if (hit && hit.until > now()) {
        entries.delete(linkId); // re-insert: Map order is the recency order
        entries.set(linkId, hit);
        return hit.target;
      }
      const target = read(linkId).then(
        (t) => {
          if (!t && entries.get(linkId)?.target === target) entries.delete(linkId);
          return t;
        },
        (err: unknown) => {
          if (entries.get(linkId)?.target === target) entries.delete(linkId);
          throw err;
        },
      );
      entries.delete(linkId);
      entries.set(linkId, { until: now() + ttl, target });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
      return target;
    },
  };
}
