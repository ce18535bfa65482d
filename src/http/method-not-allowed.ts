import type { Hono } from 'hono';
import { AppError } from '../errors';

/**
 * A path that exists but not for this method answers 405 with `Allow` (RFC 9110 §15.5.6), not
 * 404: `GET /v1/events` says "use POST" instead of claiming the route is missing. Call after every
 * route is mounted: it reads the app's route table (middleware, registered for ALL methods, does
 * not count) and adds, per path, a last handler that only runs when no route of that path matched
 * the method. HEAD is allowed wherever GET is (Hono answers HEAD with the GET handler).
 */
export function answerWrongMethods(app: Hono<any>): void {
  const methods = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    const set = methods.get(route.path) ?? new Set<string>();
    set.add(route.method);
    if (route.method === 'GET') set.add('HEAD');
    methods.set(route.path, set);
  }
  for (const [path, allowed] of methods) {
    const allow = [...allowed].sort().join(', ');
    app.all(path, (c) => {
      c.header('Allow', allow);
      throw new AppError('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow}`, {
        details: { method: c.req.method, allow: [...allowed].sort() },
      });
    });
  }
}
