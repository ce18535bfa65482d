import { attributeOps as vocabularyAttributeOps } from '../../../src/dsl/compile/vocabulary';
import fc from 'fast-check';
import type { AttributeOp, AttributeScope, Condition, CountOp } from '../../../src/dsl/condition';
import type { SeedContact } from './population';

/**
 * Random conditions and populations for the agreement property. Every value comes from small
 * pools shared by both sides (what contacts hold, what conditions ask), so matches happen often,
 * and times sit on the edges that matter: exactly at `now`, a millisecond either side, window ends.
 */
export const now = new Date('2026-03-01T12:00:00.000Z');
const H = 3_600_000;
const D = 24 * H;
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

const dateStrings = [
  '2026-03-01T12:00:00.000Z',
  '2026-03-01T12:00:00.001Z',
  '2026-03-01T11:59:59.999Z',
  '2026-03-01',
  '2026-03-01T13:00+01:00',
  '2026-02-20',
  '2026-02-30',
  '2026-01-30T12:00:00Z',
  '2025-12-31T23:00:00-02:00',
  '2026-02-28T12:00:00.5Z',
  '2026-3-01',
  'yesterday',
  '2026-03-01T24:00:00Z',
  '2026-03-01 12:00:00Z',
];
/**
 * Birthdays around the edges of `anniversary`: 29 February (and its 28th), year ends, the
 * year-less `--MM-DD`, a time part (its date counts as written), and forms that never match.
 */
const birthdays = [
  '1990-03-01',
  '1990-03-02',
  '1988-02-29',
  '--02-29',
  '1991-02-28',
  '2000-02-29T23:30:00-05:00',
  '1985-12-31',
  '1999-01-01T00:00:00Z',
  '--01-02',
  '1990-01-07',
  '1990-02-30',
  '1990-3-01',
  '03-01',
  19900301,
];
/** What each key holds: contacts, events and triggers draw from it, and so do conditions. */
const pools: Record<string, unknown[]> = {
  plan: ['pro', 'free', 'Pro', 'pr', '', null],
  score: [0, 1, 2, 2.5, -1, 42, '42', true],
  tags: [['vip', 'beta'], ['vip'], [], 'vip list', ['beta', null], [1, 2], ['VIP'], [['vip']]],
  signup: dateStrings,
  birthday: birthdays,
  nested: [{ a: 'pro', b: [1, 2] }, { a: 1 }, { b: true }, { a: null }, 'pro', [], { a: { b: 1 } }],
};
const keys = Object.keys(pools);
const scalars = [
  ...new Set(
    Object.values(pools)
      .flat(2)
      .filter((v) => v === null || typeof v !== 'object'),
  ),
];
const objectOf = () =>
  fc.record(Object.fromEntries(keys.map((k) => [k, fc.constantFrom(...pools[k]!)])), { requiredKeys: [], noNullPrototype: true });

const times = [-40 * D, -10 * D, -D - 1, -D, -H, -1, 0, 1, H, 2 * D].map(at);
const eventTypes = ['order.created', 'checkout.started', 'email.clicked'];
const purposes = ['email.marketing', 'sms'];
const stages = ['lead', 'customer', 'churned'];
/**
 * Zones either side of the date line (UTC+14, UTC−11, UTC−12), on odd offsets (+12:45, +5:45,
 * −3:30), and one no contact can hold through the API (it counts as none, in both backends).
 */
const zones = [
  'Europe/Warsaw',
  'UTC',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Etc/GMT+12',
  'Pacific/Chatham',
  'Asia/Kathmandu',
  'America/St_Johns',
  'Mars/Olympus',
];

export const contactArb = (i: number): fc.Arbitrary<SeedContact> =>
  fc.record({
    externalId: fc.constantFrom(`x${i}`, null),
    email: fc.constantFrom(`c${i}@example.com`, null),
    timezone: fc.constantFrom(...zones, null),
    locale: fc.constantFrom('pl', 'en', null),
    lifecycleStage: fc.constantFrom(...stages, null),
    createdAt: fc.constantFrom(...times.slice(0, 6)),
    attributes: objectOf(),
    events: fc.array(fc.record({ type: fc.constantFrom(...eventTypes), occurredAt: fc.constantFrom(...times), properties: objectOf() }), {
      maxLength: 5,
    }),
    consent: fc.array(fc.record({ purpose: fc.constantFrom(...purposes), granted: fc.boolean(), occurredAt: fc.constantFrom(...times) }), {
      maxLength: 4,
    }),
  });

/** Contacts with distinct emails and external ids (both are unique in the table). */
export const populationArb = fc.integer({ min: 5, max: 25 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => contactArb(i))));

export const triggerArb = fc.option(objectOf(), { nil: undefined });

const attributeOps = [...vocabularyAttributeOps];
const paths = [
  ['plan'],
  ['plan'],
  ['score'],
  ['score'],
  ['tags'],
  ['tags'],
  ['signup'],
  ['signup'],
  ['signup'],
  ['birthday'],
  ['birthday'],
  ['nested'],
  ['tags', '0'],
  ['tags', '1'],
  ['tags', '01'],
  ['tags', '0', '0'],
  ['nested', 'a'],
  ['nested', 'a', 'b'],
  ['nested', 'b', '0'],
  ['missing'],
];
const contactPaths = [
  ['email'],
  ['external_id'],
  ['timezone'],
  ['locale'],
  ['lifecycle_stage'],
  ['created_at'],
  ['attributes'],
  ['email', 'x'],
];
const contactPools: Record<string, unknown[]> = {
  email: ['c0@example.com', 'c1@example.com', 'c2@example.com', 'example', '1@'],
  external_id: ['x0', 'x1', 'x2', 'x'],
  timezone: [...zones, 'Europe'],
  locale: ['pl', 'en', 'p'],
  lifecycle_stage: [...stages, 'lea'],
  created_at: [...times.map((d) => d.toISOString()), '2026'],
};

/** Everything inside a JSON value: itself, its elements, its fields, recursively. */
const parts = (v: unknown): unknown[] => (v !== null && typeof v === 'object' ? [v, ...Object.values(v).flatMap(parts)] : [v]);

/** Condition values likely to meet what `path` holds, plus some from anywhere. */
function valuesFor(scope: AttributeScope, path: string[]): fc.Arbitrary<unknown> {
  const near = scope === 'contact' ? (contactPools[path[0]!] ?? scalars) : (pools[path[0]!] ?? scalars).flatMap(parts);
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...near) }, { weight: 1, arbitrary: fc.constantFrom(...scalars) });
}

const opValue = (op: AttributeOp, values: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => {
  switch (op) {
    case 'exists':
      return fc.boolean();
    case 'in':
      return fc.array(values, { maxLength: 4 });
    case 'anniversary':
      return anniversaryValueArb;
    case 'before':
    case 'after':
      return fc.oneof(
        fc.record({ at: fc.constantFrom(...dateStrings, ...contactPools.created_at!.map(String)) }),
        fc.record({ agoMs: fc.constantFrom(0, 1, H, D, 10 * D, 40 * D, -H, 1.5) }),
      );
    default:
      return values;
  }
};

/** Operators that suit what a key holds (most picks), so conditions often split the population. */
/** Compiled anniversary values, mostly well formed; a window of 0 or 400 days or a bad zone matches nobody. */
const anniversaryValueArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ days: fc.constantFrom(1, 1, 2, 7, 31, 366), zone: fc.constantFrom(...zones.slice(0, 5)) }) },
  { weight: 1, arbitrary: fc.record({ days: fc.constantFrom(0, 400, 1.5, -1), zone: fc.constantFrom('UTC', 'Mars/Olympus') }) },
);

const numberOps: AttributeOp[] = ['gt', 'gte', 'lt', 'lte', 'is', 'in'];
const textOps: AttributeOp[] = ['is', 'is_not', 'in', 'contains', 'exists'];
const dateOps: AttributeOp[] = ['before', 'after', 'before', 'after', 'is', 'exists'];
const suited: Record<string, AttributeOp[]> = {
  plan: textOps,
  score: numberOps,
  tags: ['contains', 'contains', 'is', 'exists'],
  signup: dateOps,
  birthday: ['anniversary', 'anniversary', 'anniversary', 'is', 'exists'],
  nested: attributeOps,
  email: textOps,
  external_id: textOps,
  timezone: textOps,
  locale: textOps,
  lifecycle_stage: textOps,
  created_at: [...dateOps, 'anniversary'],
};

const attributeArb = (scopes: AttributeScope[]): fc.Arbitrary<Condition> =>
  fc
    .constantFrom(...scopes)
    .chain((scope) => fc.tuple(fc.constant(scope), fc.constantFrom(...(scope === 'contact' ? contactPaths : paths))))
    .chain(([scope, path]) =>
      fc.tuple(
        fc.constant(scope),
        fc.constant(path),
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...(suited[path[0]!] ?? attributeOps)) },
          { weight: 1, arbitrary: fc.constantFrom(...attributeOps) },
        ),
      ),
    )
    .chain(([scope, path, op]) =>
      opValue(op, valuesFor(scope, path)).map((value): Condition => ({ kind: 'attribute', scope, path, op, value })),
    );

const countOps: CountOp[] = ['gte', 'gt', 'lte', 'lt', 'is'];

/** Conditions of every kind, nested; `where` mostly looks at the event's properties. */
export const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition; where: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: attributeArb(['attributes', 'attributes', 'attributes', 'contact', 'contact', 'trigger', 'properties']) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('event' as const),
        type: fc.constantFrom(...eventTypes),
        count: fc.record({ op: fc.constantFrom(...countOps), n: fc.constantFrom(0, 1, 2, 3) }),
        withinMs: fc.option(fc.constantFrom(H, D, 10 * D, 0, -H), { nil: undefined }),
        where: fc.option(tie('where'), { nil: undefined, freq: 2 }),
      }),
    },
    fc.record({ kind: fc.constant('consent' as const), purpose: fc.constantFrom(...purposes, 'push') }),
    fc.record({ kind: fc.constant('lifecycle' as const), stages: fc.subarray(stages) }),
    fc.record({ kind: fc.constant('segment' as const), name: fc.constant('s'), condition: tie('c') }),
    fc.record({ kind: fc.constant('not' as const), of: tie('c') }),
    fc.record({ kind: fc.constantFrom('all' as const, 'any' as const), of: fc.array(tie('c'), { maxLength: 3 }) }),
  ),
  where: fc.oneof(
    { depthSize: 'small' },
    attributeArb(['properties', 'properties', 'properties', 'attributes', 'trigger']),
    fc.record({ kind: fc.constantFrom('all' as const, 'any' as const), of: fc.array(tie('where'), { maxLength: 2 }) }),
    fc.record({ kind: fc.constant('not' as const), of: tie('where') }),
    tie('c'),
  ),
})).c;

/**
 * Instants where anniversaries turn: 28/29 February and 1 March of a leap year and of a common
 * one, the last and first milliseconds of a year, and each at the moment the far side of the date
 * line (Kiritimati, UTC+14; UTC−12) changes day; then any instant of 2020–2035.
 */
export const anniversaryNowArb: fc.Arbitrary<Date> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...[
        '2026-03-01T12:00:00.000Z',
        '2028-02-28T09:59:59.999Z',
        '2028-02-28T10:00:00.000Z',
        '2028-02-29T11:00:00.000Z',
        '2028-02-29T12:00:00.000Z',
        '2027-02-28T10:00:00.000Z',
        '2027-02-28T23:59:59.999Z',
        '2027-03-01T11:59:59.999Z',
        '2026-12-31T09:59:59.999Z',
        '2026-12-31T10:00:00.000Z',
        '2026-12-31T23:59:59.999Z',
        '2027-01-01T11:59:59.999Z',
        '2027-01-01T12:00:00.000Z',
      ].map((t) => new Date(t)),
    ),
  },
  { weight: 1, arbitrary: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true }) },
);

/** Anniversary conditions on every scope, alone or combined with the rest of the language. */
export const anniversaryConditionArb: fc.Arbitrary<Condition> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        scope: fc.constantFrom<AttributeScope>('attributes', 'attributes', 'attributes', 'contact', 'trigger'),
        value: anniversaryValueArb,
      })
      .chain(({ scope, value }) =>
        fc
          .constantFrom(...(scope === 'contact' ? [['created_at'], ['email']] : [['birthday'], ['birthday'], ['signup'], ['missing']]))
          .map((path): Condition => ({ kind: 'attribute', scope, path, op: 'anniversary', value })),
      ),
  },
  { weight: 1, arbitrary: conditionArb },
);
