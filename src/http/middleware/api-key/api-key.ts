import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../../errors';
import { sameSecret } from '../constant-time';

export interface ApiKeyOptions {
  /** Accepted bearer keys (config `http.apiKeys`, from API_KEYS). */
  keys: readonly string[];
  /** The variable the keys come from, named in the 401s (default API_KEYS; the admin API: ADMIN_API_KEYS). */
  variable?: string;
  /** What the keys open, for the "none configured" 401 (default "the /v1 API"). */
  area?: string;
}

/**
 * Bearer API key check for the `/v1` API. With no keys configured every request is refused with
 * a message telling the operator what to set: an open write API by default would let anyone
 * inject events and contacts. Every key is compared (constant time), so timing tells nothing.
 */
export function apiKey({ keys, variable = 'API_KEYS', area = 'the /v1 API' }: ApiKeyOptions): MiddlewareHandler {
  return async function apiKeyMiddleware(c, next) {
    if (keys.length === 0) {
      throw new AppError('unauthorized', `no API keys are configured: set ${variable} (comma-separated) to use ${area}`);
    }
    const match = /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw new AppError('unauthorized', 'expected an "Authorization: Bearer <API key>" header');
    const given = match[1]!;
    const matches = keys.map((k) => sameSecret(given, k));
    if (!matches.includes(true)) throw new AppError('unauthorized', `the API key is not one of ${variable}`);
    await next();
  };
}
