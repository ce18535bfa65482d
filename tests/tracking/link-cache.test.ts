import { describe, expect, it } from 'vitest';
import type { LinkTarget } from '../../src/storage/tracking';
import { cachedLinkTargets } from '../../src/tracking/link-cache';

const target = (linkId: number): LinkTarget => ({
  linkId,
  url: `https://shop.example/${linkId}`,
  position: 0,
  sendId: null,
  contactId: null,
  campaign: 'newsletter',
  runId: null,
  network: 'sms',
});

/** The click redirect's link cache (src/tracking/link-cache.ts), on a clock the test moves. */
describe('cachedLinkTargets', () => {
  const setup = (o: { maxEntries?: number; ttlMs?: number } = {}) => {
    let now = 0;
    const reads: number[] = [];
    const known = new Set([1, 2, 3]);
    const cache = cachedLinkTargets(
      async (id) => {
        reads.push(id);
        return known.has(id) ? target(id) : undefined;
      },
      { ...o, now: () => now },
    );
    return { cache, reads, known, advance: (ms: number) => (now += ms) };
  };

  it('reads a link once for many clicks, and again after its time is up (an erased link stops redirecting)', async () => {
    const { cache, reads, known, advance } = setup({ ttlMs: 60_000 });
    await Promise.all([cache.get(1), cache.get(1), cache.get(1)]);
    expect(await cache.get(1)).toEqual(target(1));
    expect(reads).toEqual([1]);
    known.delete(1);
    advance(59_999);
    expect(await cache.get(1)).toEqual(target(1));
    advance(1);
    expect(await cache.get(1)).toBeUndefined();
    expect(reads).toEqual([1, 1]);
  });

  it('keeps at most maxEntries, dropping the least recently used; unknown links are not remembered', async () => {
    const { cache, reads } = setup({ maxEntries: 2 });
    await cache.get(1);
    await cache.get(2);
    await cache.get(1); // 1 is now the most recent
    await cache.get(3); // drops 2
    await cache.get(1);
    await cache.get(2);
    expect(reads).toEqual([1, 2, 3, 2]);
    await cache.get(9);
    await cache.get(9);
    expect(reads.filter((id) => id === 9)).toHaveLength(2);
  });
});
