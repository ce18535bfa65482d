import { readFileSync } from 'node:fs';
import { applyProject } from '../../src/campaigns/apply';
import type { Project } from '../../src/dsl/plan';
import type { Services } from '../../src/runtime/services';
import { API_KEY } from '../http/ingest-app';
import type { VirtualClock } from './runtime';

/**
 * Drive the runtime services through an example NDJSON file as `almanac simulate` runs it
 * (src/simulate/run.ts), but through the doors a real shop uses: each event is POSTed to the HTTP
 * API when the virtual clock reaches its `occurred_at`, and `tick` runs at exactly the instants
 * simulate ticked at (recorded from its dispatch phase, so this file need not copy how simulate
 * picks them).
 *
 * History (events before `from`): simulate stores it and marks it processed without triggering
 * anything (`markHistoryProcessed`). The runtime has no such switch; its equivalent is a shop that
 * was already running before the campaigns were applied (`replayHistory`): the events are
 * processed at `occurred_at`, exactly as simulate marks them, and start nothing.
 */
export interface ExampleFile {
  path: string;
  from: Date;
  to: Date;
  /** The event lines as written (what a client would POST), in file order. */
  events: Array<Record<string, unknown>>;
}

export function readExample(path: string): ExampleFile {
  const text = readFileSync(path, 'utf8');
  const command = /--from (\S+) --to (\S+)/.exec(text);
  if (!command) throw new Error(`${path}: no "# npx almanac simulate … --from T --to T" comment`);
  const events = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  if (events.some((e) => !('type' in e) || typeof e.occurred_at !== 'string'))
    throw new Error(`${path}: every line must be an event with occurred_at`);
  return { path, from: new Date(command[1]!), to: new Date(command[2]!), events };
}

/** Events grouped by occurred_at, in time order; a group is what arrived at one instant. */
function byInstant(events: ExampleFile['events']): Array<{ at: Date; events: ExampleFile['events'] }> {
  const groups = new Map<number, ExampleFile['events']>();
  for (const e of events) {
    const ms = new Date(e.occurred_at as string).getTime();
    groups.set(ms, [...(groups.get(ms) ?? []), e]);
  }
  return [...groups].sort(([a], [b]) => a - b).map(([ms, group]) => ({ at: new Date(ms), events: group }));
}

/**
 * POST what arrived at one instant: one event → `/v1/events`, several → one `/v1/events/batch`,
 * as simulate stores each instant's events in one ingestion (so contacts get the same row ids,
 * which the holdout draw depends on).
 */
async function post(services: Services, clock: VirtualClock, at: Date, events: ExampleFile['events']) {
  clock.set(at);
  const single = events.length === 1;
  const res = await services.app.request(single ? '/v1/events' : '/v1/events/batch', {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(single ? events[0] : { events }),
  });
  if (res.status !== 202) throw new Error(`POST at ${at.toISOString()} answered ${res.status}: ${await res.text()}`);
}

/**
 * History, before the campaigns exist: each instant's events POSTed and ticked at their own time,
 * so they are processed at `occurred_at` and start nothing. Use services of their own, as if the
 * shop ran before the operator applied the campaigns and restarted: in-memory phase state (the
 * segment pass clock) then starts fresh at `from`, as simulate's does.
 */
export async function replayHistory(services: Services, clock: VirtualClock, example: ExampleFile): Promise<void> {
  for (const g of byInstant(example.events).filter((g) => g.at < example.from)) {
    await post(services, clock, g.at, g.events);
    await services.tick(g.at);
  }
}

/**
 * Apply the project at `from`, then tick at each of `instants` (the ones simulate ticked at),
 * POSTing each later event when the clock reaches its `occurred_at`, before the tick at or after it.
 */
export async function driveRuntime(
  services: Services,
  clock: VirtualClock,
  project: Project,
  example: ExampleFile,
  instants: Date[],
): Promise<void> {
  const pending = byInstant(example.events).filter((g) => g.at >= example.from);
  await applyProject(services.database, project, example.from);
  for (const now of instants) {
    while (pending[0] && pending[0].at <= now) {
      const g = pending.shift()!;
      await post(services, clock, g.at, g.events);
    }
    clock.set(now);
    await services.tick(now);
  }
}
