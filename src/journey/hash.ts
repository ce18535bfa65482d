/**
 * A stable bucket in [0, 100) for a tuple of strings, with 0.01 resolution: FNV-1a over the
 * parts (joined by a separator that cannot appear in ids), then murmur3's 32-bit finalizer so
 * ids differing only in their last character still spread evenly. Not cryptographic, and need
 * not be: it only has to be stable across processes and versions, and uniform.
 *
 * @example bucketOf(['42', 'abandoned-cart', 'steps[0]']) // → e.g. 63.17, always the same
 */
export function bucketOf(parts: string[]): number {
  const text = parts.join('\u0000');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) % 10_000) / 100;
}
