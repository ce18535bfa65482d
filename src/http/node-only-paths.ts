import type { MiddlewareHandler } from 'hono';

/**
 * Paths of the two route groups that need Node (src/http/app.ts mounts them; the Worker does
 * not, see src/http/app-core.ts): the admin API the CLI's plan and apply use (it compiles
 * campaigns), and the contact import (a stream of a whole list). Both are kept out of the
 * ordinary request deadline; the import also out of BODY_LIMIT_BYTES (IMPORT_MAX_BYTES instead).
 */
export const ADMIN_PREFIX = '/v1/admin/';
export const IMPORT_PATHS = ['/v1/contacts/import', '/v1/admin/contacts/import'];

export const isAdminPath = (path: string) => path.startsWith(ADMIN_PREFIX);
export const isImportPath = (path: string) => IMPORT_PATHS.includes(path);

/** Wrap the ordinary request deadline so it skips the admin API (which sets its own). */
export function exceptAdmin(middleware: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => (isAdminPath(c.req.path) ? next() : middleware(c, next));
}
