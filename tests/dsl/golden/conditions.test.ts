import { describe, expect, it } from 'vitest';
import { diagnosticsOf, yaml } from '../fixtures/project';

/** A valid campaign whose audience (from line 5) is `audience`, indented by the caller. */
const withAudience = (audience: string) => ({
  'campaigns/cart.yaml': `campaign: cart\npurpose: email.marketing\ntrigger: { event: checkout.started }\nsteps: [ exit ]\naudience:\n${audience}`,
});

const cases: Array<[string, Record<string, string | null>, string[]]> = [
  [
    'an unknown condition, with did-you-mean',
    withAudience('  atribute: email\n  exists: true\n'),
    ['campaigns/cart.yaml:6:3 unknown condition "atribute" — did you mean "attribute"?'],
  ],
  [
    'a bad condition operator',
    withAudience('  attribute: cart.total\n  greater: 5\n'),
    [
      'campaigns/cart.yaml:7:3 unknown operator "greater" for attribute — use one of is, is_not, in, gt, gte, lt, lte, contains, exists, before, after or anniversary',
    ],
  ],
  [
    'an operator from another language: equals, eq, == and != point to ours',
    withAudience(
      '  all:\n    - attribute: plan\n      equals: gold\n    - attribute: tier\n      "==": 2\n    - attribute: tier\n      "!=": 3\n',
    ),
    [
      'campaigns/cart.yaml:8:7 unknown operator "equals" for attribute — did you mean "is"?',
      'campaigns/cart.yaml:10:7 unknown operator "==" for attribute — did you mean "is"?',
      'campaigns/cart.yaml:12:7 unknown operator "!=" for attribute — did you mean "is_not"?',
    ],
  ],
  [
    'a misspelt operator, with did-you-mean',
    withAudience('  attribute: cart.total\n  gtee: 5\n'),
    ['campaigns/cart.yaml:7:3 unknown operator "gtee" for attribute — did you mean "gte"?'],
  ],
  [
    'a number operator given text',
    withAudience('  attribute: cart.total\n  gte: "100"\n'),
    ['campaigns/cart.yaml:7:8 gte compares numbers, got "100" — for dates use before/after'],
  ],
  [
    'an unknown segment, with did-you-mean',
    withAudience('  segment: vipp\n'),
    ['campaigns/cart.yaml:6:12 unknown segment "vipp" — did you mean "vip"?'],
  ],
  [
    'a segment cycle',
    {
      'campaigns/segments.yaml': yaml`
        a:
          segment: b
        b:
          any:
            - consent: email.marketing
            - segment: a
      `,
    },
    ['campaigns/segments.yaml:6:16 segment cycle: a → b → a — a segment cannot include itself; remove one of these references'],
  ],
  [
    'a trigger path in a segment',
    { 'campaigns/segments.yaml': 'big-carts:\n  attribute: cart.total\n  gte: 100\n' },
    [
      'campaigns/segments.yaml:2:14 "cart." is not available in a segment — segments have no triggering event; use attribute paths of the contact',
    ],
  ],
  [
    'a date-time without a zone',
    withAudience('  attribute: created_at\n  before: 2026-01-01T10:00\n'),
    ['campaigns/cart.yaml:7:11 before "2026-01-01T10:00" has no zone — add Z or an offset, e.g. 2026-01-01T10:00Z'],
  ],
  [
    'a relative date written out in words',
    withAudience('  attribute: last_seen\n  after: 30 days ago\n'),
    ['campaigns/cart.yaml:7:10 after "30 days ago" is not a relative date — write a duration and "ago", e.g. 30d ago'],
  ],
  [
    'a misspelt anniversary, and birthday: for it',
    withAudience('  any:\n    - attribute: birthday\n      aniversary: today\n    - attribute: birthday\n      birthday: today\n'),
    [
      'campaigns/cart.yaml:8:7 unknown operator "aniversary" for attribute — did you mean "anniversary"?',
      'campaigns/cart.yaml:10:7 unknown operator "birthday" for attribute — did you mean "anniversary"?',
    ],
  ],
  [
    'anniversary values near today or { within }',
    withAudience(
      '  any:\n    - { attribute: birthday, anniversary: todya }\n    - { attribute: birthday, anniversary: 7d }\n' +
        '    - { attribute: birthday, anniversary: tomorrow }\n    - { attribute: birthday, anniversary: { withn: 7d } }\n' +
        '    - { attribute: birthday, anniversary: { within: 36h } }\n    - { attribute: birthday, anniversary: { within: 400d } }\n',
    ),
    [
      'campaigns/cart.yaml:7:43 anniversary must be today or { within: DURATION }, got "todya" — did you mean "today"?',
      'campaigns/cart.yaml:8:43 anniversary "7d" is a duration, not a day — write anniversary: { within: 7d }',
      'campaigns/cart.yaml:9:43 anniversary must be today or { within: DURATION }, got "tomorrow" — anniversary counts from today: write anniversary: { within: 2d }',
      'campaigns/cart.yaml:10:45 unknown key "withn" in anniversary — did you mean "within"?',
      'campaigns/cart.yaml:11:53 anniversary within counts whole days — write days, e.g. within: 2d',
      'campaigns/cart.yaml:12:53 anniversary within is at most 366d — a longer window matches every date',
    ],
  ],
  [
    'two conditions in one map',
    withAudience('  consent: email.marketing\n  lifecycle: customer\n'),
    ['campaigns/cart.yaml:7:3 one condition per map, found "consent" and "lifecycle" — combine them with all: [ … ] or any: [ … ]'],
  ],
  [
    'a misspelt key of an event condition',
    withAudience('  event: order.created\n  withn: 7d\n'),
    ['campaigns/cart.yaml:7:3 unknown key "withn" in event condition — did you mean "within"?'],
  ],
  [
    'a contact condition inside where',
    {
      'campaigns/cart.yaml': yaml`
        campaign: cart
        purpose: email.marketing
        trigger:
          event: checkout.started
          where: { consent: email.marketing }
        steps: [ exit ]
      `,
    },
    [
      'campaigns/cart.yaml:5:12 "consent" cannot be used in a where condition — where looks only at the event\'s properties: use attribute, all, any or not',
    ],
  ],
  [
    'an event name one typo from a known one (a warning)',
    withAudience('  no_event: order.craeted\n'),
    ['campaigns/cart.yaml:6:13 warning: unknown event "order.craeted" — did you mean "order.created"?'],
  ],
];

describe('golden messages: conditions and segments', () => {
  it.each(cases)('%s', (_title, files, expected) => {
    expect(diagnosticsOf(files)).toEqual(expected);
  });
});
