import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compare a presented secret or signature with the expected one in constant time. Lengths are
 * not secret (a signature's length is public), so unequal lengths return false at once.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Digest first, so keys of any length compare in constant time without revealing their length. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
