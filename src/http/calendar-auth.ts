import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors';
import { sameSecret } from './middleware/constant-time';

/**
 * The key check of `GET /calendar` and `GET /calendar.ics`, which marketers open in a browser
 * and subscribe to from a calendar app — neither can send an Authorization header. So these two
 * accept one of API_KEYS as `Authorization: Bearer <key>` OR as `?key=<key>`; nothing else, and,
 * as for /v1, no keys configured means 401 (never an open calendar by default).
 *
 * A key in a URL can end up in browser history and proxy logs, so answers carry
 * `Referrer-Policy: no-referrer` (the page links nowhere else anyway) and `Cache-Control:
 * private, no-store`. The month view's own links carry the same `?key=` forward.
 * Operators who want a feed-only secret can give it its own entry in API_KEYS.
 */
export function calendarKey({ keys }: { keys: readonly string[] }): MiddlewareHandler {
  return async function calendarKeyMiddleware(c, next) {
    if (keys.length === 0) {
      throw new AppError('unauthorized', 'no API keys are configured: set API_KEYS (comma-separated) to open the calendar');
    }
    const bearer = /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const given = bearer ?? c.req.query('key');
    if (!given) throw new AppError('unauthorized', 'expected an "Authorization: Bearer <API key>" header or a ?key=<API key> parameter');
    if (!keys.map((k) => sameSecret(given, k)).includes(true)) throw new AppError('unauthorized', 'the API key is not one of API_KEYS');
    await next();
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'private, no-store');
  };
}
