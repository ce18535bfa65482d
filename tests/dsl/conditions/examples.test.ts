import { beforeAll, describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/dsl/condition';
import { evaluate } from '../../../src/dsl/conditions/evaluate';
import { loadFacts, selectMatchingContactIds } from '../../../src/storage/facts';
import { useTestDatabase } from '../../helpers/db';
import { type SeedContact, seedPopulation } from './population';

/**
 * The condition semantics by example: each case names who matches, and both backends (SQL via
 * selectMatchingContactIds, in memory via loadFacts + evaluate) must name exactly them.
 */
const t = useTestDatabase('conditions_examples');
const now = new Date('2026-03-01T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const H = 3_600_000;
const D = 24 * H;

const person = (name: string, p: Partial<SeedContact>): SeedContact => ({
  externalId: name,
  email: null,
  timezone: null,
  locale: null,
  lifecycleStage: null,
  createdAt: new Date('2025-06-01T00:00:00.000Z'),
  attributes: {},
  events: [],
  consent: [],
  ...p,
});

const people = [
  person('ada', {
    email: 'ada@example.com',
    lifecycleStage: 'customer',
    createdAt: new Date('2025-01-10T08:00:00.123Z'),
    attributes: { plan: 'pro', score: 42, tags: ['vip', 'beta'], signup: '2026-02-20', nested: { a: { b: 1 } }, nickname: null },
    events: [
      { type: 'order.created', occurredAt: ago(2 * D), properties: { total: 129, currency: 'EUR' } },
      { type: 'order.created', occurredAt: ago(40 * D), properties: { total: 20, currency: 'EUR' } },
      { type: 'order.created', occurredAt: new Date(now.getTime() + D), properties: { total: 999 } },
      { type: 'checkout.started', occurredAt: ago(H), properties: {} },
    ],
    consent: [
      { purpose: 'email.marketing', granted: true, occurredAt: ago(10 * D) },
      { purpose: 'email.marketing', granted: false, occurredAt: ago(5 * D) },
      { purpose: 'email.marketing', granted: true, occurredAt: ago(D) },
      { purpose: 'sms', granted: true, occurredAt: new Date(now.getTime() + H) },
    ],
  }),
  person('bob', {
    lifecycleStage: 'lead',
    attributes: { plan: 'free', score: '42', tags: 'vip list', signup: '2025-12-31T23:00:00-02:00' },
    events: [{ type: 'email.clicked', occurredAt: ago(3 * D), properties: { link: 1 } }],
    consent: [
      { purpose: 'email.marketing', granted: true, occurredAt: ago(20 * D) },
      { purpose: 'email.marketing', granted: false, occurredAt: ago(2 * D) },
    ],
  }),
  person('cyd', {
    consent: [
      { purpose: 'sms', granted: true, occurredAt: ago(D) },
      { purpose: 'sms', granted: false, occurredAt: ago(D) },
    ],
  }),
  person('dee', {
    attributes: { plan: 'Pro', score: 7.5 },
    consent: [
      { purpose: 'sms', granted: false, occurredAt: ago(D) },
      { purpose: 'sms', granted: true, occurredAt: ago(D) },
    ],
  }),
];

const attr = (path: string, op: string, value: unknown, scope = 'attributes'): Condition =>
  ({ kind: 'attribute', scope, path: path.split('.'), op, value }) as Condition;
const event = (type: string, op: string, n: number, extra: object = {}): Condition =>
  ({ kind: 'event', type, count: { op, n }, ...extra }) as Condition;

let names = new Map<number, string>();
beforeAll(async () => {
  const ids = await seedPopulation(t.database.db, people);
  names = new Map(ids.map((id, i) => [id, people[i]!.externalId!]));
});

async function whoMatches(condition: Condition, trigger?: Record<string, unknown>) {
  const db = t.database.db;
  const viaSql = await selectMatchingContactIds(db, condition, { now, trigger });
  const facts = await loadFacts(db, [...names.keys()], { now });
  const inMemory = [...facts.values()].filter((f) => evaluate(condition, { ...f, trigger }, now)).map((f) => f.contact.id);
  const label = (ids: number[]) => ids.map((id) => names.get(id)).sort();
  return { sql: label(viaSql), memory: label(inMemory) };
}

const cases: Array<[string, Condition, string[], Record<string, unknown>?]> = [
  ['is compares JSON exactly', attr('plan', 'is', 'pro'), ['ada']],
  ['is: a number never equals a numeric string', attr('score', 'is', 42), ['ada']],
  ['is: a string never equals a number', attr('score', 'is', '42'), ['bob']],
  ['is_not is `not is`: missing values match', attr('plan', 'is_not', 'pro'), ['bob', 'cyd', 'dee']],
  ['exists: JSON null counts as missing', attr('nickname', 'exists', true), []],
  ['exists: false matches missing and null', attr('nickname', 'exists', false), ['ada', 'bob', 'cyd', 'dee']],
  ['in is membership', attr('plan', 'in', ['pro', 'free']), ['ada', 'bob']],
  ['gt compares numbers only', attr('score', 'gt', 40), ['ada']],
  ['gte', attr('score', 'gte', 7.5), ['ada', 'dee']],
  ['lt', attr('score', 'lt', 42), ['dee']],
  ['lte', attr('score', 'lte', 42), ['ada', 'dee']],
  ['contains: array element or substring', attr('tags', 'contains', 'vip'), ['ada', 'bob']],
  ['contains is case-sensitive', attr('plan', 'contains', 'Pr'), ['dee']],
  ['after a relative time (30d ago)', attr('signup', 'after', { agoMs: 30 * D }), ['ada']],
  ['before honours the offset (bob signed up 01:00Z)', attr('signup', 'before', { at: '2026-01-01T01:00:00.001Z' }), ['bob']],
  ['before is strict', attr('signup', 'before', { at: '2026-01-01T01:00Z' }), []],
  ['a path indexes arrays', attr('tags.0', 'is', 'vip'), ['ada']],
  ['a path walks objects', attr('nested.a.b', 'is', 1), ['ada']],
  ['contact column', attr('email', 'is', 'ada@example.com', 'contact'), ['ada']],
  ['created_at reads as an ISO string', attr('created_at', 'before', { at: '2025-02-01' }, 'contact'), ['ada']],
  ['trigger properties', attr('total', 'gte', 100, 'trigger'), ['ada', 'bob', 'cyd', 'dee'], { total: 129 }],
  ['trigger without a trigger is missing', attr('total', 'exists', true, 'trigger'), []],
  ['properties outside an event are missing', attr('total', 'exists', true, 'properties'), []],
  ['event: future events never count', event('order.created', 'is', 2), ['ada']],
  ['event within a window', event('order.created', 'gte', 1, { withinMs: 30 * D }), ['ada']],
  ['event where over its properties', event('order.created', 'gte', 2, { where: attr('currency', 'is', 'EUR', 'properties') }), ['ada']],
  ['event where excludes', event('order.created', 'gte', 1, { where: attr('total', 'gt', 500, 'properties') }), []],
  ['no_event', event('order.created', 'is', 0), ['bob', 'cyd', 'dee']],
  ['count lt', event('email.clicked', 'lt', 1, { withinMs: 2 * D }), ['ada', 'bob', 'cyd', 'dee']],
  ['consent: the newest row decides', { kind: 'consent', purpose: 'email.marketing' }, ['ada']],
  ['consent: a tie on time goes to the later row', { kind: 'consent', purpose: 'sms' }, ['dee']],
  ['lifecycle membership', { kind: 'lifecycle', stages: ['customer', 'lead'] }, ['ada', 'bob']],
  ['all: [] is true', { kind: 'all', of: [] }, ['ada', 'bob', 'cyd', 'dee']],
  ['any: [] is false', { kind: 'any', of: [] }, []],
  ['not', { kind: 'not', of: { kind: 'lifecycle', stages: ['customer'] } }, ['bob', 'cyd', 'dee']],
  ['any', { kind: 'any', of: [attr('plan', 'is', 'free'), { kind: 'consent', purpose: 'sms' }] }, ['bob', 'dee']],
  ['segment is its condition', { kind: 'segment', name: 'buyers', condition: event('order.created', 'gte', 1) }, ['ada']],
];

describe('conditions by example (SQL and in memory)', () => {
  it.each(cases)('%s', async (_name, condition, expected, trigger) => {
    expect(await whoMatches(condition, trigger)).toEqual({ sql: expected, memory: expected });
  });
});
