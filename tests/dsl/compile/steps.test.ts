import { describe, expect, it } from 'vitest';
import { head, planOf, yaml } from '../fixtures/project';

const stepsOf = (steps: string) => planOf(`${head}steps:\n${steps.replace(/^/gm, '  ')}`).steps;

describe('steps compile to plan steps with stable keys', () => {
  it('wait, send (subject, data), update, emit (properties) and exit (bare and exit: true)', () => {
    const steps = stepsOf(yaml`
      - wait: 90m
      - send: cart-reminder
        subject: "Still thinking, {{contact.first_name}}?"
        data: { coupon: SAVE10, amounts: [5, 10] }
      - update: { welcome_outcome: nudged, score: 3 }
      - emit: cart.reminded
        properties: { channel: email }
      - exit: true
    `);
    expect(steps).toEqual([
      { key: 'steps[0]', line: 5, col: 5, kind: 'wait', ms: 90 * 60_000 },
      {
        key: 'steps[1]',
        line: 6,
        col: 5,
        kind: 'send',
        template: 'cart-reminder',
        subject: 'Still thinking, {{contact.first_name}}?',
        data: { coupon: 'SAVE10', amounts: [5, 10] },
      },
      { key: 'steps[2]', line: 9, col: 5, kind: 'update', attributes: { welcome_outcome: 'nudged', score: 3 } },
      { key: 'steps[3]', line: 10, col: 5, kind: 'emit', event: 'cart.reminded', properties: { channel: 'email' } },
      { key: 'steps[4]', line: 12, col: 5, kind: 'exit' },
    ]);
    expect(stepsOf('- exit\n')).toEqual([{ key: 'steps[0]', line: 5, col: 5, kind: 'exit' }]);
  });

  it('wait_until with where and on_timeout; nested keys follow the path', () => {
    const [step] = stepsOf(yaml`
      - wait_until: { event: email.clicked, timeout: 24h, where: { attribute: url, contains: checkout } }
        on_timeout:
          - send: cart-discount
    `);
    expect(step).toEqual({
      key: 'steps[0]',
      line: 5,
      col: 5,
      kind: 'wait_until',
      event: 'email.clicked',
      timeoutMs: 86_400_000,
      where: { kind: 'attribute', scope: 'properties', path: ['url'], op: 'contains', value: 'checkout' },
      onTimeout: [{ key: 'steps[0].on_timeout[0]', line: 7, col: 9, kind: 'send', template: 'cart-discount' }],
    });
  });

  it('branch: arms by index, otherwise by name; a parent id prefixes its children', () => {
    const [step] = stepsOf(yaml`
      - id: big-cart
        branch:
          - when: { attribute: cart.total, gte: 100 }
            steps: [ { send: cart-discount } ]
          - when: { lifecycle: vip }
            steps: [ exit ]
          - otherwise: [ { send: cart-reminder } ]
    `);
    expect(step).toMatchObject({ key: 'big-cart', kind: 'branch' });
    if (step?.kind !== 'branch') throw new Error('not a branch');
    expect(step.arms.map((a) => a.steps.map((s) => s.key))).toEqual([['big-cart.branch[0].steps[0]'], ['big-cart.branch[1].steps[0]']]);
    expect(step.arms[0]!.when).toEqual({ kind: 'attribute', scope: 'trigger', path: ['total'], op: 'gte', value: 100 });
    expect(step.arms[1]!.when).toEqual({ kind: 'lifecycle', stages: ['vip'] });
    expect(step.otherwise.map((s) => s.key)).toEqual(['big-cart.branch.otherwise[0]']);
  });

  it('a branch without otherwise has an empty otherwise', () => {
    const [step] = stepsOf('- branch:\n    - when: { consent: email.marketing }\n      steps: [ exit ]\n');
    expect(step).toMatchObject({ kind: 'branch', otherwise: [] });
  });

  it('split: equal shares by default', () => {
    const [step] = stepsOf('- split:\n    A: [ { send: cart-reminder } ]\n    B: [ { send: cart-discount } ]\n');
    expect(step).toEqual({
      key: 'steps[0]',
      line: 5,
      col: 5,
      kind: 'split',
      arms: [
        { name: 'A', percent: 50, steps: [{ key: 'steps[0].split.A[0]', line: 6, col: 12, kind: 'send', template: 'cart-reminder' }] },
        { name: 'B', percent: 50, steps: [{ key: 'steps[0].split.B[0]', line: 7, col: 12, kind: 'send', template: 'cart-discount' }] },
      ],
    });
  });

  it('split: explicit percents, a control arm, and the rest shared by arms without one', () => {
    const [step] = stepsOf(yaml`
      - split:
          A: { percent: 40%, steps: [ exit ] }
          control: 10%
          B: [ exit ]
          C: [ exit ]
    `);
    if (step?.kind !== 'split') throw new Error('not a split');
    expect(step.arms.map((a) => [a.name, a.percent, a.steps.length])).toEqual([
      ['A', 40, 1],
      ['control', 10, 0],
      ['B', 25, 1],
      ['C', 25, 1],
    ]);
  });

  it('ids replace paths as keys, at any depth', () => {
    const steps = stepsOf(
      '- id: first\n  send: cart-reminder\n- wait_until: { event: email.opened, timeout: 1d }\n  on_timeout:\n    - id: nudge\n      send: cart-discount\n',
    );
    expect(steps[0]!.key).toBe('first');
    expect(steps[1]!.kind === 'wait_until' && steps[1]!.onTimeout[0]!.key).toBe('nudge');
  });

  it('seconds are a unit (for tests and simulate)', () => {
    expect(stepsOf('- wait: 45s\n')[0]).toMatchObject({ kind: 'wait', ms: 45_000 });
  });
});
