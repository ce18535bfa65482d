import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/dsl/condition';
import { evaluate } from '../../../src/dsl/conditions/evaluate';
import { loadFacts, selectMatchingContactIds } from '../../../src/storage/facts';
import { useTestDatabase } from '../../helpers/db';
import { anniversaryConditionArb, anniversaryNowArb, conditionArb, now, populationArb, triggerArb } from './arbitraries';
import { clearPopulation, expectedFacts, seedPopulation } from './population';

/**
 * The promise of the condition language: SQL (audiences, segments) and memory (branches) give
 * the same answer. Each run writes a random population, reads its facts back with `loadFacts`
 * (checked against what was written), and for a batch of random conditions compares who
 * `evaluate` accepts with who `selectMatchingContactIds` returns. Same file on PGlite and PostgreSQL.
 * The first property holds `now` still; the second moves it over the days anniversaries turn on.
 */
const t = useTestDatabase('conditions_agree');
const RUNS = 60;
const CONDITIONS_PER_RUN = 40;
const ANNIVERSARY_RUNS = 40;

describe('evaluate and toSql agree', () => {
  it(`on ${RUNS} random populations × ${CONDITIONS_PER_RUN} random conditions`, async () => {
    await agree(fc.constant(now), conditionArb, RUNS);
  }, 120_000);

  // Birthdays on each contact's own calendar: zones either side of the date line, 29 February in
  // leap and common years, year ends; `now` moves (arbitraries.ts anniversaryNowArb).
  it(`on anniversaries: ${ANNIVERSARY_RUNS} random populations and instants × ${CONDITIONS_PER_RUN} conditions`, async () => {
    await agree(anniversaryNowArb, anniversaryConditionArb, ANNIVERSARY_RUNS);
  }, 120_000);
});

async function agree(nowArb: fc.Arbitrary<Date>, conditionsArb: fc.Arbitrary<Condition>, runs: number) {
  const db = t.database.db;
  await fc.assert(
    fc.asyncProperty(
      nowArb,
      populationArb,
      triggerArb,
      fc.array(conditionsArb, { minLength: CONDITIONS_PER_RUN, maxLength: CONDITIONS_PER_RUN }),
      async (now, people, trigger, conditions) => {
        await clearPopulation(db);
        const ids = await seedPopulation(db, people);
        const facts = await loadFacts(db, ids, { now });
        const loaded = ids.map((id) => facts.get(id));
        const expected = people.map((p, i) => expectedFacts(p, ids[i]!, now));
        expect(sortEvents(loaded)).toEqual(sortEvents(expected));
        for (const condition of conditions) {
          const inMemory = ids.filter((id) => evaluate(condition, { ...facts.get(id)!, trigger }, now));
          const viaSql = await selectMatchingContactIds(db, condition, { now, trigger, limit: 1000 });
          expect(viaSql, JSON.stringify(condition)).toEqual(inMemory);
        }
      },
    ),
    // A failure shrinks by re-seeding the database each step; cap it so a report still comes quickly.
    { numRuns: runs, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
  );
}

/** JSON with object keys sorted (jsonb stores keys in its own order). */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

/** Facts list events in no particular order; compare them in one. */
function sortEvents<T>(all: T[]): T[] {
  return all.map((f) => {
    if (!f || typeof f !== 'object' || !('events' in f) || !Array.isArray(f.events)) return f;
    const events = [...f.events].sort((a, b) => canonical(a).localeCompare(canonical(b)));
    return { ...f, events };
  });
}
