import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token of `/preferences/:token` (the preference centre): the contact id and an HMAC-SHA256
 * of it under LINK_SIGNING_KEY with its own prefix, truncated to 128 bits, base64url —
 * `17.Xq3…`. Per person, not per send, and without expiry: the link in a year-old mail still
 * opens that person's preferences (and nobody else's: forging one means guessing 128 bits).
 */
const PREFIX = 'almanac:preferences:';

function signature(contactId: number, key: string): Buffer {
  return createHmac('sha256', key).update(`${PREFIX}${contactId}`).digest().subarray(0, 16);
}

export function signPreferencesToken(contactId: number, key: string): string {
  return `${contactId}.${signature(contactId, key).toString('base64url')}`;
}

/** The contact id of a genuine token, or undefined for anything forged, altered or malformed. */
export function verifyPreferencesToken(token: string, key: string): number | undefined {
  const match = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!match) return undefined;
  const contactId = Number(match[1]);
  if (!Number.isSafeInteger(contactId)) return undefined;
  const given = Buffer.from(match[2]!, 'base64url');
  const expected = signature(contactId, key);
  return given.length === expected.length && timingSafeEqual(given, expected) ? contactId : undefined;
}

/** `https://shop.example/preferences/17.Xq3…` */
export function preferencesUrl(publicUrl: string, contactId: number, key: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/preferences/${signPreferencesToken(contactId, key)}`;
}
