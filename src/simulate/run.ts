import { defaultMergePolicy } from '../contacts/resolve';
import { applyProject } from '../campaigns/apply';
import type { Project } from '../dsl/plan';
import { collapseContacts, upsertContactIds } from '../events/contacts';
import { ingestEvents } from '../events/ingest';
import { nextBroadcastAt } from '../scheduler/broadcasts-phase';
import type { Database } from '../storage/db';
import { markHistoryProcessed, nextDueAt } from '../storage/due';
import type { SimulationInput } from './input';
import { readInFlight } from './in-flight';
import { type NotEntered, readNotEntered } from './not-entered';
import { type CampaignSummary, summarize } from './summary';
import { readTimeline, type TimelineEntry } from './timeline';

export interface SimulationOptions {
  /** A fresh, migrated database of the simulation's own (src/runtime/simulation.ts opens one in memory). */
  database: Database;
  /** The engine's `tick` over that database, dispatch included (built by src/runtime/). */
  tick: (now: Date) => Promise<unknown>;
  project: Project;
  input: SimulationInput;
  from: Date;
  to: Date;
  /** Full segment re-evaluation interval in virtual time the engine was built with (default 1 h). */
  segmentPassMs?: number;
  /** Stop after this many ticks (a guard against a runaway plan); default 100 000. */
  maxTicks?: number;
}

/** What `almanac simulate` asks of the runtime (src/runtime/simulation.ts builds the engine for it). */
export interface SimulationRequest {
  project: Project;
  input: SimulationInput;
  from: Date;
  to: Date;
  /** The project's templates/ folder. */
  templatesDir: string;
  segmentPassMs?: number;
  maxTicks?: number;
  /** Called with every instant the engine ticks at (tests compare them with a runtime replay). */
  onTick?: (now: Date) => void;
}

export interface SimulationResult {
  /** What the tables say happened (the same lines a runtime replay of the input reads). */
  timeline: TimelineEntry[];
  /** The runs still going at `to`, one `running` line each at that instant. */
  inFlight: TimelineEntry[];
  /** Every contact × campaign that got no run, with why. */
  notEntered: NotEntered[];
  /** Per campaign, over the timeline and the in-flight runs. */
  summary: CampaignSummary[];
  ticks: number;
}

/** The default full segment pass of a simulation, in virtual time. */
export const SIMULATION_SEGMENT_PASS_MS = 3_600_000;

/**
 * Run the real engine over a virtual clock on its own fresh database: apply the project at
 * `from`, store the contacts and events (events before `from` are history: they count in
 * conditions and trigger nothing), then tick at `from` and at every moment work falls due
 * (the next event, wake, send, broadcast occurrence or segment pass) until `to`. No sleeping,
 * no wall time: the same input always gives the same timeline. The caller owns the database.
 */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const { database, tick } = options;
  await applyProject(database, options.project, options.from);
  if (options.input.contacts.length) {
    const rules = { policy: defaultMergePolicy(), source: 'simulate' };
    await database.db.transaction((tx) =>
      upsertContactIds(tx, collapseContacts(options.input.contacts, rules).rows, { ...rules, now: options.from }),
    );
  }
  const byTime = new Map<number, typeof options.input.events>();
  for (const e of options.input.events) {
    const arrives = (e.receivedAt ?? e.occurredAt).getTime();
    byTime.set(arrives, [...(byTime.get(arrives) ?? []), e]);
  }
  for (const time of [...byTime.keys()].sort((a, b) => a - b)) {
    // Received when they happened (or at their `received_at`), so the clock meets them in order.
    await ingestEvents(database.db, byTime.get(time)!, { source: 'simulate', now: new Date(time) });
  }
  await markHistoryProcessed(database.db, options.from);

  const segmentPassMs = options.segmentPassMs ?? SIMULATION_SEGMENT_PASS_MS;
  const hasSegments = options.project.campaigns.some((c) => c.trigger.kind === 'segment');
  let now = options.from;
  let ticks = 0;
  const maxTicks = options.maxTicks ?? 100_000;
  for (;;) {
    await tick(now);
    ticks++;
    if (ticks >= maxTicks) throw new Error(`simulation stopped after ${maxTicks} ticks at ${now.toISOString()}`);
    const due = await nextDueAt(database.db);
    const broadcast = await nextBroadcastAt(database.db, options.project.campaigns, now, options.to);
    const candidates = [due, broadcast, hasSegments ? new Date(now.getTime() + segmentPassMs) : null].filter((d): d is Date => d !== null);
    if (candidates.length === 0) break;
    // Work still due now (more than a tick's batches) is worked off at the same instant.
    const next = new Date(Math.max(now.getTime(), Math.min(...candidates.map((d) => d.getTime()))));
    if (next > options.to) break;
    now = next;
  }
  const { campaigns } = options.project;
  const timeline = await readTimeline(database.db, campaigns);
  const inFlight = await readInFlight(database.db, campaigns, options.to);
  const notEntered = await readNotEntered(database.db, campaigns, timeline, { from: options.from, to: options.to });
  return { timeline, inFlight, notEntered, summary: summarize(campaigns, [...timeline, ...inFlight], notEntered), ticks };
}
