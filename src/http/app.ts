import { adminRoutes } from './admin';
import { type AppDeps, buildApp } from './app-core';
import { contactImportRoutes } from './contacts-import';

export type { App, AppDeps, NodeOnlyRoutes } from './app-core';

/** The whole HTTP app as Node serves it: ./app-core.ts with the admin API and the contact import. */
export function createApp(deps: AppDeps) {
  return buildApp(deps, { admin: adminRoutes, contactImport: contactImportRoutes });
}
