import { Hono } from 'hono';
import { AppError } from '../errors';
import type { Database } from '../storage/db';
import { readLinkTarget } from '../storage/tracking';
import { cachedLinkTargets } from '../tracking/link-cache';
import { TRANSPARENT_GIF } from '../tracking/pixel';
import type { TrackingRecorder } from '../tracking/recorder';
import { safeRedirectTarget } from '../tracking/redirect-target';
import { verifyClickToken, verifyOpenToken } from '../tracking/tokens';
import { clickEvidence } from './consent-page';

export interface TrackingRouteDeps {
  database: Database;
  linkSigningKey: string;
  recorder: TrackingRecorder;
  now: () => Date;
}

/**
 * `GET /c/:token` — the click redirect — and `GET /o/:token` — the open pixel
 * (tokens: src/tracking/tokens.ts; recording: src/tracking/recorder.ts).
 *
 * The redirect goes only to the URL stored for that link of that send (`links.url`, checked once
 * more by `safeRedirectTarget`): the token names a row, never a destination, so no input can
 * make it point elsewhere. A tampered, random or unknown token, or a stored target that no longer
 * passes, is a 404 — never a redirect. The click is queued and the answer (302, `no-store`, no
 * Referer: the token stays out of the destination's logs) does not wait for the write. HEAD is
 * answered the same way and recorded as a bot's (link scanners check links with HEAD).
 * The pixel answers a 1×1 transparent GIF for any genuine token and queues the open.
 */
export function trackingRoutes(deps: TrackingRouteDeps) {
  const app = new Hono();
  // Each link row is read once a minute at most, not once per click (src/tracking/link-cache.ts).
  // The stored target is checked once per cache fill, not per click.
  const targets = cachedLinkTargets(async (id) => {
    const target = await readLinkTarget(deps.database.db, id);
    return target && { target, safe: safeRedirectTarget(target.url) };
  });
  // Tokens already verified (a burst of clicks on one mail's links repeats them): the HMAC once
  // per token. Only genuine ones are kept (forged tokens cannot fill it), at most 10 000.
  const verified = new Map<string, number>();
  const linkIdOf = (token: string): number | undefined => {
    const known = verified.get(token);
    if (known !== undefined) return known;
    const linkId = verifyClickToken(token, deps.linkSigningKey);
    if (linkId !== undefined) {
      if (verified.size >= 10_000) verified.delete(verified.keys().next().value!);
      verified.set(token, linkId);
    }
    return linkId;
  };
  app.get('/c/:token', async (c) => {
    const linkId = linkIdOf(c.req.param('token'));
    const found = linkId === undefined ? undefined : await targets.get(linkId);
    if (!found || !found.safe.ok) throw new AppError('not_found', 'this link is not valid (it may have been mistyped)');
    const { target, safe } = found;
    const { ip, userAgent } = clickEvidence(c);
    deps.recorder.click({ target, method: c.req.method, ip, userAgent, at: deps.now() });
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(safe.url, 302);
  });
  app.get('/o/:token', (c) => {
    const sendId = verifyOpenToken(c.req.param('token'), deps.linkSigningKey);
    if (sendId === undefined) throw new AppError('not_found', 'no such image');
    const { ip, userAgent } = clickEvidence(c);
    deps.recorder.open({ sendId, ip, userAgent, at: deps.now() });
    c.header('Cache-Control', 'no-store, private');
    return c.body(new Uint8Array(TRANSPARENT_GIF), 200, { 'Content-Type': 'image/gif' });
  });
  return app;
}
