import { beforeAll, describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/dsl/condition';
import { evaluate } from '../../../src/dsl/conditions/evaluate';
import { loadFacts, selectMatchingContactIds } from '../../../src/storage/facts';
import { useTestDatabase } from '../../helpers/db';
import { type SeedContact, seedPopulation } from './population';

/**
 * `anniversary` by example, through both backends: whose birthday is today on their own
 * calendar. Kiri lives in UTC+14 and Pago in UTC−11 (either side of the date line); Wanda has
 * no zone and Mars a zone no contact can hold, so both count in the calendar's (Warsaw here);
 * Lea was born on 29 February, Fen on the 28th; Kat gave no year and lives on UTC+5:45.
 */
const t = useTestDatabase('conditions_anniversary');

const person = (name: string, timezone: string | null, birthday: unknown): SeedContact => ({
  externalId: name,
  email: null,
  timezone,
  locale: null,
  lifecycleStage: null,
  createdAt: new Date('2025-06-01T00:00:00.000Z'),
  attributes: { birthday },
  events: [],
  consent: [],
});

const people = [
  person('kiri', 'Pacific/Kiritimati', '1990-01-01'),
  person('pago', 'Pacific/Pago_Pago', '1990-12-31'),
  person('wanda', null, '1985-12-31T23:30:00-05:00'),
  person('mars', 'Mars/Olympus', '1990-01-01'),
  person('lea', 'UTC', '1988-02-29'),
  person('fen', 'UTC', '1991-02-28'),
  person('kat', 'Asia/Kathmandu', '--03-01'),
];

const birthday = (days: number, zone = 'Europe/Warsaw'): Condition => ({
  kind: 'attribute',
  scope: 'attributes',
  path: ['birthday'],
  op: 'anniversary',
  value: { days, zone },
});

let names = new Map<number, string>();
beforeAll(async () => {
  const ids = await seedPopulation(t.database.db, people);
  names = new Map(ids.map((id, i) => [id, people[i]!.externalId!]));
});

async function whoMatches(condition: Condition, now: Date) {
  const db = t.database.db;
  const viaSql = await selectMatchingContactIds(db, condition, { now });
  const facts = await loadFacts(db, [...names.keys()], { now });
  const inMemory = [...facts.values()].filter((f) => evaluate(condition, f, now)).map((f) => f.contact.id);
  const label = (ids: number[]) => ids.map((id) => names.get(id)).sort();
  return { sql: label(viaSql), memory: label(inMemory) };
}

const cases: Array<[string, Condition, string, string[]]> = [
  [
    '31 Dec 10:00Z: Kiritimati is already in 1 January, Pago Pago still on the 30th, Warsaw on the 31st',
    birthday(1),
    '2026-12-31T10:00:00Z',
    ['kiri', 'wanda'],
  ],
  ['31 Dec 11:00Z: Pago Pago reaches the 31st', birthday(1), '2026-12-31T11:00:00Z', ['kiri', 'pago', 'wanda']],
  ['a zone no contact can hold counts as the calendar zone', birthday(1), '2027-01-01T12:00:00Z', ['mars']],
  [
    'the calendar zone compiled into the condition decides for contacts without one',
    birthday(1, 'Pacific/Kiritimati'),
    '2026-12-31T10:00:00Z',
    ['kiri', 'mars'],
  ],
  ['29 February counts on 28 February in a common year', birthday(1, 'UTC'), '2027-02-28T12:00:00Z', ['fen', 'lea']],
  ['in a leap year, the 28th is only the 28th', birthday(1, 'UTC'), '2028-02-28T12:00:00Z', ['fen']],
  ['and the 29th is the 29th', birthday(1, 'UTC'), '2028-02-29T12:00:00Z', ['lea']],
  ['within 7d runs across the year end (28 Dec – 3 Jan)', birthday(7), '2026-12-28T12:00:00Z', ['kiri', 'mars', 'pago', 'wanda']],
  ['within 2d starts today: 27 and 28 Feb of a common year', birthday(2, 'UTC'), '2027-02-27T12:00:00Z', ['fen', 'lea']],
  [
    'a year-less --MM-DD: at 18:15Z Kathmandu (+5:45) is in 1 March, UTC still on 28 February',
    birthday(1, 'UTC'),
    '2027-02-28T18:15:00Z',
    ['fen', 'kat', 'lea'],
  ],
  ['one millisecond earlier Kathmandu is not', birthday(1, 'UTC'), '2027-02-28T18:14:59.999Z', ['fen', 'lea']],
  ['a window of 0 days matches nobody', birthday(0), '2026-12-31T11:00:00Z', []],
];

describe('anniversary by example (SQL and in memory)', () => {
  it.each(cases)('%s', async (_name, condition, now, expected) => {
    expect(await whoMatches(condition, new Date(now))).toEqual({ sql: expected, memory: expected });
  });
});
