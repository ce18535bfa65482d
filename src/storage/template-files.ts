import { sql } from 'drizzle-orm';
import type { Db, Tx } from './db';
import { rowsOf } from './sql-values';
import { templateFiles } from './schema/index';

/** The newest stored version of a template file (removed ones included, `removed: true`). */
export interface StoredTemplateFile {
  path: string;
  version: number;
  contentHash: string;
  removed: boolean;
}

/** The newest version of every template file ever applied, by path. */
export async function latestTemplateFiles(tx: Tx): Promise<StoredTemplateFile[]> {
  const rows = rowsOf<{ path: string; version: number; content_hash: string; removed: boolean }>(
    await tx.execute(sql`
      select distinct on (path) path, version, content_hash, content is null as removed
      from template_files order by path, version desc`),
  );
  return rows.map((r) => ({ path: r.path, version: r.version, contentHash: r.content_hash, removed: r.removed }));
}

export interface NewTemplateFile {
  path: string;
  version: number;
  contentHash: string;
  /** Null: removed in this version. */
  content: string | null;
  createdAt: Date;
}

/** Store new template file versions in one statement. */
export async function insertTemplateFiles(tx: Tx, rows: NewTemplateFile[]): Promise<void> {
  if (rows.length > 0) await tx.insert(templateFiles).values(rows);
}

/**
 * The applied template files as they are now (path → content), with the stamp they were read
 * at, in one statement. `stamp` is null when no template file was ever applied.
 */
export async function currentTemplateFiles(db: Db): Promise<{ stamp: number | null; files: Map<string, string> }> {
  const rows = rowsOf<{ path: string | null; content: string | null; stamp: string | number | null }>(
    await db.execute(sql`
      with latest as (
        select distinct on (path) path, content from template_files order by path, version desc
      )
      select l.path, l.content, (select max(id) from template_files) as stamp
      from (select 1) one left join latest l on l.content is not null`),
  );
  const stamp = rows[0]?.stamp == null ? null : Number(rows[0].stamp);
  return { stamp, files: new Map(rows.flatMap((r) => (r.path === null ? [] : [[r.path, r.content ?? '']]))) };
}

/** `max(id)` of template_files: changes whenever apply stores a template version; null when none ever was. */
export async function templateFilesStamp(db: Db): Promise<number | null> {
  const rows = rowsOf<{ stamp: string | number | null }>(await db.execute(sql`select max(id) as stamp from template_files`));
  return rows[0]?.stamp == null ? null : Number(rows[0].stamp);
}
