import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (standardwebhooks.com) signatures, one implementation for both directions:
 * the inbound verifier of `POST /webhooks/ingest/:source` (src/http/middleware/standard-webhooks)
 * and the outbound `webhook` step (src/scheduler/webhooks-phase.ts).
 *
 * A secret is `whsec_` + base64 of the key bytes. The signature is
 * `v1,<base64 HMAC-SHA256 of "${webhook-id}.${webhook-timestamp}.${raw body}">`; the
 * `webhook-signature` header holds one or more of them, space-separated (senders list several
 * while rotating secrets), and any one matching is enough.
 */

export const SECRET_PREFIX = 'whsec_';

/** A well-formed `whsec_` secret: base64 of at least 16 bytes (what INGEST_SECRETS and WEBHOOK_SECRETS accept). */
export function isStandardWebhookSecret(secret: string): boolean {
  return /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret) && Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64').length >= 16;
}

function digest(secret: string, id: string, timestamp: string, body: Uint8Array | string): Buffer {
  return createHmac('sha256', Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64'))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();
}

/** The `webhook-signature` value for one delivery: `v1,<base64>`. `timestamp` is whole seconds since 1970, as sent. */
export function signStandardWebhook(secret: string, id: string, timestamp: string, body: Uint8Array | string): string {
  return `v1,${digest(secret, id, timestamp, body).toString('base64')}`;
}

/** The three headers of a signed delivery at `now`. */
export function standardWebhookHeaders(secret: string, id: string, now: Date, body: string): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signStandardWebhook(secret, id, timestamp, body) };
}

/** Whether any `v1,` entry of a `webhook-signature` header matches (constant-time compare). */
export function standardWebhookSignatureMatches(
  secret: string,
  id: string,
  timestamp: string,
  body: Uint8Array | string,
  signatures: string,
): boolean {
  const expected = digest(secret, id, timestamp, body);
  return signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .some((s) => {
      const given = Buffer.from(s.slice(3), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
