import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, errorBody, isAppError } from '../errors';

/**
 * The one place errors become responses: `{ error: { code, message, details } }`.
 * AppErrors keep their status; Hono's own HTTPExceptions (e.g. malformed JSON) map to
 * `bad_request`; anything else is a bug: logged, and answered as a bare 500 `internal`.
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
    return c.json(errorBody(appError), appError.status as ContentfulStatusCode);
  };
}

export const notFound = (c: Context) => c.json(errorBody(new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`)), 404);
