import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, errorBody, isAppError } from '../errors';

/**
 * The one place errors become responses: `{ error: { code, message, details } }`.
 * AppErrors keep their status; Hono's own HTTPExceptions (e.g. malformed JSON) map to
 * `bad_request`; anything else is a bug: logged, and answered as a bare 500 `internal`.
 * A 401 says how to authenticate (`WWW-Authenticate: Bearer`, RFC 6750). A browser asking for a
 * page (not `/v1/…` or `/webhooks/…`, `Accept: text/html`) gets the same error as a small HTML
 * page instead of raw JSON — e.g. the month calendar opened with a wrong `?key=`.
 */
export function onError(log: (msg: string, err: unknown) => void) {
  return (err: Error, c: Context) => {
    let appError: AppError;
    if (isAppError(err)) appError = err;
    else if (err instanceof HTTPException) {
      appError = new AppError(err.status === 413 ? 'payload_too_large' : 'bad_request', err.message || 'bad request', {
        status: err.status,
      });
    } else {
      log(`unhandled error on ${c.req.method} ${c.req.path}`, err);
      appError = new AppError('internal', 'internal error');
    }
    if (appError.status === 401) c.header('WWW-Authenticate', 'Bearer realm="almanac"');
    return respond(c, appError);
  };
}

export const notFound = (c: Context) =>
  respond(
    c,
    new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`, { details: { method: c.req.method, path: c.req.path } }),
  );

function respond(c: Context, err: AppError) {
  const status = err.status as ContentfulStatusCode;
  if (!wantsPage(c)) return c.json(errorBody(err), status);
  const text = err.message.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Almanac: ${status}</title></head>` +
      `<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto"><h1>${status}</h1><p>${text}</p></body></html>`,
    status,
  );
}

const wantsPage = (c: Context) =>
  !/^\/(v1|webhooks)\//.test(c.req.path) && !c.req.path.endsWith('.ics') && (c.req.header('accept') ?? '').includes('text/html');
