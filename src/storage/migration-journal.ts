import journal from '../../migrations/meta/_journal.json';

/**
 * The migration tags this build expects, from drizzle-kit's journal (bundled as data: the Worker
 * reads no files). The Worker compares them with `almanac_migrations` once per isolate.
 */
export const expectedMigrationTags: readonly string[] = [...journal.entries].sort((a, b) => a.idx - b.idx).map((e) => e.tag);
