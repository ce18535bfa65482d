import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A positive integer id and an HMAC-SHA256 of it under a key, truncated to 128 bits, base64url:
 * `42.q0Zq…` — the tokens of signed links (view in browser, preferences). `purpose` is a prefix
 * inside the MAC (`almanac:view:`, `almanac:preferences:`), so a token made for one kind of link
 * never verifies as another made with the same key. Knowing one token gives no other id's.
 */
function signature(purpose: string, id: number, key: string): Buffer {
  return createHmac('sha256', key).update(`${purpose}${id}`).digest().subarray(0, 16);
}

export function signId(purpose: string, id: number, key: string): string {
  return `${id}.${signature(purpose, id, key).toString('base64url')}`;
}

/** The id of a genuine token, or undefined for anything forged, altered or malformed (constant-time compare). */
export function verifySignedId(purpose: string, token: string, key: string): number | undefined {
  const match = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!match) return undefined;
  const id = Number(match[1]);
  if (!Number.isSafeInteger(id)) return undefined;
  const given = Buffer.from(match[2]!, 'base64url');
  // 22 base64url characters carry 132 bits: only the canonical spelling of the 128 counts, so each token has exactly one form.
  if (given.toString('base64url') !== match[2]) return undefined;
  const expected = signature(purpose, id, key);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}
