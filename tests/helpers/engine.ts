import { sql } from 'drizzle-orm';
import { applyProject } from '../../src/campaigns/apply';
import { compileSources } from '../../src/dsl/compile/index';
import { formatDiagnostic } from '../../src/dsl/diagnostics';
import type { Project } from '../../src/dsl/plan';
import { ingestEvents } from '../../src/events/ingest';
import { parseEventBody } from '../../src/events/schema';
import { Metrics } from '../../src/metrics';
import { createEnginePhases } from '../../src/runtime/engine';
import { createTick } from '../../src/scheduler/tick';
import type { Database } from '../../src/storage/db';
import { rowsOf } from '../../src/storage/migrate';

/** Compile campaign files given inline (`{ 'campaigns/x.yaml': '…' }`); throws with every diagnostic. */
export function compileInline(files: Record<string, string>, templates: string[]): Project {
  const result = compileSources(Object.entries(files).map(([path, text]) => ({ path, text })), templates);
  if (!result.ok) throw new Error(`campaigns do not compile:\n${result.errors.map(formatDiagnostic).join('\n')}`);
  return result.project;
}

export async function applyInline(database: Database, files: Record<string, string>, templates: string[], now: Date) {
  return applyProject(database, compileInline(files, templates), now);
}

/** The engine's tick (events, segments, runs; no dispatch) on a test database. */
export function engine(database: Database, options: { batchSize?: number } = {}) {
  const metrics = new Metrics();
  const tick = createTick(createEnginePhases({ database, metrics, batchSize: options.batchSize ?? 200, segmentPassMs: 60_000 }), metrics);
  return { tick, metrics };
}

/** Ingest events in our JSON shape, as `POST /v1/events/batch` would. */
export async function ingest(database: Database, events: unknown[], now: Date) {
  const parsed = parseEventBody({ events }, { now });
  if (!parsed.ok) throw new Error(`bad test events: ${JSON.stringify(parsed.error)}`);
  return ingestEvents(database.db, parsed.value, { source: 'test', now });
}

export async function query<T>(database: Database, text: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await database.db.execute(text));
}

export const at = (iso: string) => new Date(iso);
export const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
