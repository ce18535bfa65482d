import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/dsl/condition';
import { head, planOf } from '../fixtures/project';

const DAY = 86_400_000;
/** The audience a YAML condition (one flow-style or block line set, indented 2) compiles to. */
const audienceOf = (yamlText: string, files: Record<string, string | null> = {}): Condition | undefined =>
  planOf(`${head}steps: [ exit ]\naudience:\n${yamlText.replace(/^/gm, '  ')}\n`, files).audience;

describe('conditions compile to the AST of src/dsl/condition.ts', () => {
  it.each<[string, string, Condition]>([
    [
      'a contact column',
      'attribute: email\nexists: true',
      { kind: 'attribute', scope: 'contact', path: ['email'], op: 'exists', value: true },
    ],
    [
      'cart. reads the trigger',
      'attribute: cart.total\ngte: 100',
      { kind: 'attribute', scope: 'trigger', path: ['total'], op: 'gte', value: 100 },
    ],
    [
      'trigger. reads the trigger',
      'attribute: trigger.items.0.sku\nis: M1',
      { kind: 'attribute', scope: 'trigger', path: ['items', '0', 'sku'], op: 'is', value: 'M1' },
    ],
    [
      'attributes. reads the json',
      'attribute: attributes.plan\nin: [gold, 2, true]',
      { kind: 'attribute', scope: 'attributes', path: ['plan'], op: 'in', value: ['gold', 2, true] },
    ],
    [
      'a bare path reads the json',
      'attribute: plan.tier\nis_not: free',
      { kind: 'attribute', scope: 'attributes', path: ['plan', 'tier'], op: 'is_not', value: 'free' },
    ],
    [
      'lt, lte, gt, contains',
      'attribute: score\nlt: 2.5',
      { kind: 'attribute', scope: 'attributes', path: ['score'], op: 'lt', value: 2.5 },
    ],
    [
      'contains',
      'attribute: tags\ncontains: vip',
      { kind: 'attribute', scope: 'attributes', path: ['tags'], op: 'contains', value: 'vip' },
    ],
    [
      'a relative date',
      'attribute: created_at\nbefore: 30d ago',
      { kind: 'attribute', scope: 'contact', path: ['created_at'], op: 'before', value: { agoMs: 30 * DAY } },
    ],
    [
      'an absolute date',
      'attribute: signed_up\nafter: 2026-01-31',
      { kind: 'attribute', scope: 'attributes', path: ['signed_up'], op: 'after', value: { at: '2026-01-31T00:00:00.000Z' } },
    ],
    [
      'a date-time with an offset',
      'attribute: signed_up\nafter: 2026-01-31T10:00+01:00',
      { kind: 'attribute', scope: 'attributes', path: ['signed_up'], op: 'after', value: { at: '2026-01-31T09:00:00.000Z' } },
    ],
    [
      'anniversary: today, in the calendar zone for contacts without one',
      'attribute: birthday\nanniversary: today',
      { kind: 'attribute', scope: 'attributes', path: ['birthday'], op: 'anniversary', value: { days: 1, zone: 'Europe/Warsaw' } },
    ],
    [
      'anniversary within a week (today and the six days after)',
      'attribute: created_at\nanniversary: { within: 1w }',
      { kind: 'attribute', scope: 'contact', path: ['created_at'], op: 'anniversary', value: { days: 7, zone: 'Europe/Warsaw' } },
    ],
    ['event, defaults to at least once', 'event: order.created', { kind: 'event', type: 'order.created', count: { op: 'gte', n: 1 } }],
    [
      'event count N is at least N',
      'event: order.created\ncount: 3\nwithin: 1w',
      { kind: 'event', type: 'order.created', count: { op: 'gte', n: 3 }, withinMs: 7 * DAY },
    ],
    [
      'event count with an operator and where',
      'event: order.created\ncount: { lt: 2 }\nwhere: { attribute: total, gt: 50 }',
      {
        kind: 'event',
        type: 'order.created',
        count: { op: 'lt', n: 2 },
        where: { kind: 'attribute', scope: 'properties', path: ['total'], op: 'gt', value: 50 },
      },
    ],
    [
      'no_event is count 0',
      'no_event: order.created\nwithin: 90d',
      { kind: 'event', type: 'order.created', count: { op: 'is', n: 0 }, withinMs: 90 * DAY },
    ],
    ['consent', 'consent: email.marketing', { kind: 'consent', purpose: 'email.marketing' }],
    ['lifecycle, one stage', 'lifecycle: customer', { kind: 'lifecycle', stages: ['customer'] }],
    ['lifecycle, a list', 'lifecycle: [lead, customer]', { kind: 'lifecycle', stages: ['lead', 'customer'] }],
    [
      'all / any / not',
      'all:\n  - consent: email.marketing\n  - any:\n      - lifecycle: vip\n      - not: { attribute: email, exists: false }',
      {
        kind: 'all',
        of: [
          { kind: 'consent', purpose: 'email.marketing' },
          {
            kind: 'any',
            of: [
              { kind: 'lifecycle', stages: ['vip'] },
              { kind: 'not', of: { kind: 'attribute', scope: 'contact', path: ['email'], op: 'exists', value: false } },
            ],
          },
        ],
      },
    ],
  ])('%s', (_title, text, expected) => {
    expect(audienceOf(text)).toEqual(expected);
  });

  it('a segment with an anniversary takes the calendar zone too (UTC without a calendar)', () => {
    const segments = 'birthdays:\n  attribute: birthday\n  anniversary: { within: 7d }\n';
    const files = { 'campaigns/segments.yaml': segments };
    const value = { days: 7, zone: 'Europe/Warsaw' };
    expect(audienceOf('segment: birthdays', files)).toMatchObject({ condition: { op: 'anniversary', value } });
    expect(audienceOf('segment: birthdays', { ...files, 'campaigns/calendar.yaml': null })).toMatchObject({
      condition: { value: { days: 7, zone: 'UTC' } },
    });
  });

  it('segment: NAME is inlined, nested segments too, names kept', () => {
    const segments = 'buyer:\n  event: order.created\nloyal:\n  all:\n    - segment: buyer\n    - consent: email.marketing\n';
    expect(audienceOf('segment: loyal', { 'campaigns/segments.yaml': segments })).toEqual({
      kind: 'segment',
      name: 'loyal',
      condition: {
        kind: 'all',
        of: [
          { kind: 'segment', name: 'buyer', condition: { kind: 'event', type: 'order.created', count: { op: 'gte', n: 1 } } },
          { kind: 'consent', purpose: 'email.marketing' },
        ],
      },
    });
  });
});
