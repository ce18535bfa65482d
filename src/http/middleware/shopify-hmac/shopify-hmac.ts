import { createHmac } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../../errors';
import { sameBytes } from '../constant-time';

export interface ShopifyHmacOptions {
  /** The app's API secret key (SHOPIFY_WEBHOOK_SECRET); unset → every delivery is refused. */
  secret: string | undefined;
}

export type RawBodyEnv = { Variables: { rawBody: Uint8Array } };

/**
 * Verify `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with the app secret) in
 * constant time before anything reads the body as JSON; a mismatch is a 401 and nothing is
 * stored. The verified bytes are handed on as `c.get('rawBody')`, so the handler parses exactly
 * what was signed.
 */
export function shopifyHmac({ secret }: ShopifyHmacOptions): MiddlewareHandler<RawBodyEnv> {
  return async function shopifyHmacMiddleware(c, next) {
    if (!secret) throw new AppError('unauthorized', 'SHOPIFY_WEBHOOK_SECRET is not set, so Shopify webhooks cannot be verified');
    const given = c.req.header('x-shopify-hmac-sha256');
    if (!given) throw new AppError('unauthorized', 'missing X-Shopify-Hmac-Sha256 header');
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const expected = createHmac('sha256', secret).update(raw).digest();
    if (!sameBytes(expected, Buffer.from(given, 'base64'))) {
      throw new AppError('unauthorized', 'X-Shopify-Hmac-Sha256 does not match the body (wrong secret, or the body was altered)');
    }
    c.set('rawBody', raw);
    await next();
  };
}
