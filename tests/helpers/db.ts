import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Database } from '../../src/storage/db';
import { openDb } from '../../src/storage/open';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../src/storage/migrate';

/**
 * The test database, chosen by the environment: real PostgreSQL when DATABASE_URL is set (CI
 * runs the suite once each way), else PGlite. Each test file gets a fresh, migrated schema of
 * its own; it is dropped after the file when every test passed, and kept for a look otherwise.
 * PGlite: one in-memory instance per worker process, shared by that worker's files.
 */
export const backend: 'postgres' | 'pglite' = process.env.DATABASE_URL ? 'postgres' : 'pglite';

const sharedKey = Symbol.for('almanac.tests.pglite');
type Holder = { [sharedKey]?: Promise<PGlite> };

export function sharedPglite(): Promise<PGlite> {
  const g = globalThis as Holder;
  g[sharedKey] ??= PGlite.create();
  return g[sharedKey];
}

export function newSchemaName(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  return `t_${slug}_${randomBytes(4).toString('hex')}`;
}

/** Open (without migrating) a handle on `schema` for the current backend. */
export async function openTestDb(schema: string, options: { poolMax?: number; url?: string } = {}): Promise<Database> {
  if (backend === 'postgres') {
    return openDb({ kind: 'postgres', url: options.url ?? process.env.DATABASE_URL!, schema, poolMax: options.poolMax ?? 4 });
  }
  return openDb({ kind: 'pglite-shared', pglite: await sharedPglite(), schema });
}

export async function dropSchema(schema: string): Promise<void> {
  if (backend === 'postgres') {
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`drop schema if exists "${schema}" cascade`);
    } finally {
      await admin.end();
    }
  } else {
    const pg = await sharedPglite();
    await pg.exec(`drop schema if exists "${schema}" cascade; set search_path to public`);
  }
}

/**
 * Register hooks giving this file a fresh migrated database. Use at the top of a test file:
 * `const t = useTestDatabase('scheduler');` then `t.database` inside tests.
 */
export function useTestDatabase(label: string, options: { migrate?: boolean } = {}) {
  const state = { schema: newSchemaName(label), failed: false, database: undefined as Database | undefined };
  beforeAll(async () => {
    state.database = await openTestDb(state.schema);
    if (options.migrate ?? true) await migrate(state.database, loadMigrations(defaultMigrationsDir));
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') state.failed = true;
  });
  afterAll(async () => {
    await state.database?.close();
    if (!state.failed) await dropSchema(state.schema);
    else console.warn(`kept schema ${state.schema} of a failed test for a look`);
  });
  return {
    get database(): Database {
      if (!state.database) throw new Error('test database is not open yet (use it inside tests or hooks)');
      return state.database;
    },
    get schema() {
      return state.schema;
    },
  };
}
