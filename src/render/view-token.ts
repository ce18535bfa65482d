import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token of `GET /v/:token` (view in browser): the send id and an HMAC-SHA256 of it under
 * LINK_SIGNING_KEY, truncated to 128 bits, base64url: `42.q0Zq…`. Knowing one token gives no
 * other send's; the purpose prefix keeps these signatures from being valid for any other kind
 * of signed link made with the same key.
 */
const PURPOSE = 'almanac:view:';

function signature(sendId: number, key: string): Buffer {
  return createHmac('sha256', key).update(`${PURPOSE}${sendId}`).digest().subarray(0, 16);
}

export function signViewToken(sendId: number, key: string): string {
  return `${sendId}.${signature(sendId, key).toString('base64url')}`;
}

/** The send id of a genuine token, or undefined for anything forged, altered or malformed. */
export function verifyViewToken(token: string, key: string): number | undefined {
  const match = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!match) return undefined;
  const sendId = Number(match[1]);
  if (!Number.isSafeInteger(sendId)) return undefined;
  const given = Buffer.from(match[2]!, 'base64url');
  const expected = signature(sendId, key);
  return given.length === expected.length && timingSafeEqual(given, expected) ? sendId : undefined;
}

/** `https://shop.example/v/42.q0Zq…` */
export function viewInBrowserUrl(publicUrl: string, sendId: number, key: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v/${signViewToken(sendId, key)}`;
}
