import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../../errors';
import { standardWebhookSignatureMatches } from '../../../lib/standard-webhooks';

export interface StandardWebhooksOptions {
  /** `whsec_<base64>` secret per source (config `webhooks.ingestSecrets`, from INGEST_SECRETS). */
  secrets: Readonly<Record<string, string>>;
  /** Which source a request is for; default the `:source` route parameter. */
  sourceOf?: (c: Context) => string | undefined;
  /** Clock for the timestamp window; injected by tests and `simulate`. */
  now?: () => Date;
  /** Largest allowed distance between `webhook-timestamp` and now; default 5 minutes. */
  toleranceSeconds?: number;
}

export type StandardWebhookEnv = { Variables: { rawBody: Uint8Array; webhookId: string; webhookSource: string } };

const unauthorized = (message: string) => new AppError('unauthorized', message);

/**
 * Verify a Standard Webhooks delivery (standardwebhooks.com): `webhook-signature` holds
 * space-separated `v1,<base64 HMAC-SHA256 of "${webhook-id}.${webhook-timestamp}.${raw body}">`
 * made with the base64-decoded part of the secret after `whsec_` (src/lib/standard-webhooks.ts); any one matching is enough
 * (senders list several while rotating secrets). A timestamp outside the window is refused, so
 * a captured delivery cannot be replayed later; replays inside it are caught by the receipt.
 */
export function standardWebhooks({
  secrets,
  sourceOf = (c) => c.req.param('source'),
  now = () => new Date(),
  toleranceSeconds = 300,
}: StandardWebhooksOptions): MiddlewareHandler<StandardWebhookEnv> {
  return async function standardWebhooksMiddleware(c, next) {
    const source = sourceOf(c) ?? '';
    const secret = Object.hasOwn(secrets, source) ? secrets[source] : undefined;
    if (!secret) throw unauthorized(`no secret for source "${source}": add ${source}=whsec_… to INGEST_SECRETS`);
    const id = c.req.header('webhook-id');
    const timestamp = c.req.header('webhook-timestamp');
    const signatures = c.req.header('webhook-signature');
    if (!id || !timestamp || !signatures) {
      throw unauthorized('expected webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks)');
    }
    // A delivery id is kept as the receipt (unique index): bounded like every stored key.
    if (id.length > 255) throw unauthorized('webhook-id is longer than 255 characters');
    if (!/^\d{1,12}$/.test(timestamp)) throw unauthorized('webhook-timestamp must be whole seconds since 1970');
    const skew = Math.abs(now().getTime() / 1000 - Number(timestamp));
    if (skew > toleranceSeconds) {
      throw unauthorized(`webhook-timestamp is ${Math.round(skew)} s from now, more than the ${toleranceSeconds} s allowed`);
    }
    const raw = new Uint8Array(await c.req.arrayBuffer());
    // The one signing primitive, shared with the outbound `webhook` step (src/lib/standard-webhooks.ts).
    if (!standardWebhookSignatureMatches(secret, id, timestamp, raw, signatures))
      throw unauthorized('webhook-signature does not match (wrong secret, or the body was altered)');
    c.set('rawBody', raw);
    c.set('webhookId', id);
    c.set('webhookSource', source);
    await next();
  };
}
