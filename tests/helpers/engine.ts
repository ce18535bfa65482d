import { sql } from 'drizzle-orm';
import { applyProject } from '../../src/campaigns/apply';
import { compileSources } from '../../src/dsl/compile/index';
import { formatDiagnostic } from '../../src/dsl/diagnostics';
import type { Project } from '../../src/dsl/plan';
import { ingestEvents } from '../../src/events/ingest';
import { parseEventBody } from '../../src/events/schema';
import { Metrics } from '../../src/metrics';
import { createRenderer } from '../../src/render/renderer-files';
import { createLogger } from '../../src/lib/log';
import { createDispatcher } from '../../src/scheduler/dispatch';
import { createOutboxTransport } from '../../src/sending/outbox';
import { createEnginePhases } from '../../src/runtime/engine';
import { createTick } from '../../src/scheduler/tick';
import type { Database } from '../../src/storage/db';
import { rowsOf } from '../../src/storage/sql-values';

/** Compile campaign files given inline (`{ 'campaigns/x.yaml': '…' }`); throws with every diagnostic. */
export function compileInline(files: Record<string, string>, templates: string[]): Project {
  const result = compileSources(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    templates,
  );
  if (!result.ok) throw new Error(`campaigns do not compile:\n${result.errors.map(formatDiagnostic).join('\n')}`);
  return result.project;
}

export async function applyInline(database: Database, files: Record<string, string>, templates: string[], now: Date) {
  return applyProject(database, compileInline(files, templates), now);
}

/**
 * The engine's tick on a test database: events, segments, broadcasts, runs and, with
 * `dispatch: true`, the real dispatcher (gate, caps, renderer over ./templates, outbox).
 */
export function engine(database: Database, options: { batchSize?: number; dispatch?: boolean } = {}) {
  const metrics = new Metrics();
  const batchSize = options.batchSize ?? 200;
  const dispatch = options.dispatch
    ? createDispatcher({
        database,
        transport: createOutboxTransport({ database }),
        renderer: createRenderer({ templatesDir: 'templates' }),
        from: 'Shop <news@shop.example>',
        suppressionKey: 'test-suppression-key',
        batchSize,
        leaseMs: 60_000,
        random: () => 0.5,
        metrics,
        log: createLogger('silent'),
      })
    : undefined;
  const phases = createEnginePhases({ database, metrics, batchSize, segmentPassMs: 60_000, ...(dispatch ? { dispatch } : {}) });
  return { tick: createTick(phases, metrics), metrics };
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
