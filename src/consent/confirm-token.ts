import { createHmac, timingSafeEqual } from 'node:crypto';
import { CONSENT_REQUESTED } from '../dsl/plan';

/**
 * The token of `/confirm/:token` (double opt-in): which request it confirms — contact, purpose and
 * the request's time (the pending ledger row's `occurred_at`, in ms) — and when it expires,
 * signed with an HMAC-SHA256 under LINK_SIGNING_KEY, truncated to 128 bits:
 * `17.1764675600000.1765280400.ZW1haWwubmV3c2xldHRlcg.q0Zq…` (purpose in base64url). The
 * dispatcher signs one into the confirmation mail from the run's trigger (`consent.requested`);
 * the route recomputes the MAC, refuses an expired token, and confirms only while that very
 * request is the newest ledger row of the purpose — so a token works once, and not after a
 * withdrawal or a newer request. The prefix keeps it from verifying as any other signed link.
 */
const PREFIX = 'almanac:confirm:';

export interface ConfirmSubject {
  contactId: number;
  purpose: string;
  /** The pending request's `occurred_at`. */
  requestedAt: Date;
  /** After this the link only says it has expired. */
  expiresAt: Date;
}

const payload = (s: ConfirmSubject) => `${s.contactId}.${s.requestedAt.getTime()}.${Math.floor(s.expiresAt.getTime() / 1000)}`;

function mac(s: ConfirmSubject, key: string): Buffer {
  return createHmac('sha256', key)
    .update(`${PREFIX}${payload(s)}:${s.purpose}`)
    .digest()
    .subarray(0, 16);
}

export function signConfirmToken(s: ConfirmSubject, key: string): string {
  return `${payload(s)}.${Buffer.from(s.purpose).toString('base64url')}.${mac(s, key).toString('base64url')}`;
}

const SHAPE = /^([1-9][0-9]{0,15})\.([0-9]{1,16})\.([0-9]{1,12})\.([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{22})$/;

/** The subject of a genuine token (expired or not: the caller decides), or undefined for anything forged, altered or malformed. */
export function verifyConfirmToken(token: string, key: string): ConfirmSubject | undefined {
  const m = SHAPE.exec(token);
  if (!m) return undefined;
  const subject: ConfirmSubject = {
    contactId: Number(m[1]),
    requestedAt: new Date(Number(m[2])),
    expiresAt: new Date(Number(m[3]) * 1000),
    purpose: Buffer.from(m[4]!, 'base64url').toString('utf8'),
  };
  if (!Number.isSafeInteger(subject.contactId) || Number.isNaN(subject.requestedAt.getTime())) return undefined;
  // Base64url decoding forgives; the canonical form must round-trip, so one token has one spelling.
  if (Buffer.from(subject.purpose).toString('base64url') !== m[4]) return undefined;
  const given = Buffer.from(m[5]!, 'base64url');
  if (given.toString('base64url') !== m[5]) return undefined; // the canonical spelling only
  const expected = mac(subject, key);
  return given.length === expected.length && timingSafeEqual(given, expected) ? subject : undefined;
}

/** `https://shop.example/confirm/17.1764…` */
export function confirmUrl(publicUrl: string, subject: ConfirmSubject, key: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/confirm/${signConfirmToken(subject, key)}`;
}

/**
 * The `{{send.confirm_url}}` of a send whose run was triggered by a double opt-in request, or
 * undefined for any other send. It expires `days` after the request, so the dispatcher and view
 * in browser sign the same link, and a mail opened late does not get a longer-lived one.
 */
export function confirmUrlOfTrigger(
  publicUrl: string,
  contactId: number,
  trigger: Parameters<typeof requestOfTrigger>[0],
  days: number,
  key: string,
): string | undefined {
  const request = requestOfTrigger(trigger);
  if (!request) return undefined;
  return confirmUrl(publicUrl, { contactId, ...request, expiresAt: new Date(request.requestedAt.getTime() + days * 86_400_000) }, key);
}

/**
 * The request a confirmation send confirms, from its run's trigger: a `consent.requested` event
 * (its purpose, and its time, which is the pending ledger row's `occurred_at`). Undefined for
 * any other trigger — only the confirmation mail gets a confirm link.
 */
export function requestOfTrigger(
  trigger: { type?: unknown; occurredAt?: unknown; properties?: unknown } | null | undefined,
): { purpose: string; requestedAt: Date } | undefined {
  if (trigger?.type !== CONSENT_REQUESTED || typeof trigger.occurredAt !== 'string') return undefined;
  const purpose = (trigger.properties as Record<string, unknown> | undefined)?.purpose;
  const requestedAt = new Date(trigger.occurredAt);
  return typeof purpose === 'string' && !Number.isNaN(requestedAt.getTime()) ? { purpose, requestedAt } : undefined;
}
