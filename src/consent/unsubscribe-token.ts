import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token of `/u/:token` (unsubscribe, RFC 8058) and the `List-Unsubscribe` header: the send
 * id and an HMAC-SHA256 under LINK_SIGNING_KEY over (purpose prefix, send, contact, consent
 * purpose), truncated to 128 bits, base64url — `42.q0Zq…`. The URL carries no address or contact
 * id; the route loads the send and recomputes the signature from its stored contact and purpose,
 * so a token is good for exactly that person and purpose, and a tampered, random or foreign
 * token matches nothing (2^-128 per guess). The prefix keeps it from ever verifying as another
 * kind of signed link (view in browser, preferences) made with the same key.
 */
const PREFIX = 'almanac:unsubscribe:';

export interface UnsubscribeSubject {
  sendId: number;
  contactId: number;
  purpose: string;
}

function signature(s: UnsubscribeSubject, key: string): Buffer {
  return createHmac('sha256', key).update(`${PREFIX}${s.sendId}:${s.contactId}:${s.purpose}`).digest().subarray(0, 16);
}

export function signUnsubscribeToken(s: UnsubscribeSubject, key: string): string {
  return `${s.sendId}.${signature(s, key).toString('base64url')}`;
}

/** The send id a token names, if it has the shape of one (not yet proof: see `verifyUnsubscribeToken`). */
export function unsubscribeTokenSendId(token: string): number | undefined {
  const match = /^([1-9][0-9]{0,15})\.[A-Za-z0-9_-]{22}$/.exec(token);
  const sendId = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(sendId) ? sendId : undefined;
}

/** Whether `token` was made for this send, contact and purpose with `key` (constant time). */
export function verifyUnsubscribeToken(token: string, subject: UnsubscribeSubject, key: string): boolean {
  if (unsubscribeTokenSendId(token) !== subject.sendId) return false;
  const mac = token.slice(token.indexOf('.') + 1);
  const given = Buffer.from(mac, 'base64url');
  // Only the canonical spelling (22 characters carry 132 bits for 128): one token, one form.
  if (given.toString('base64url') !== mac) return false;
  const expected = signature(subject, key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `https://shop.example/u/42.q0Zq…` */
export function unsubscribeUrl(publicUrl: string, subject: UnsubscribeSubject, key: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/u/${signUnsubscribeToken(subject, key)}`;
}
