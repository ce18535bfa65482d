import { describe, expect, it } from 'vitest';
import { diagnosticsOf, yaml } from '../fixtures/project';

/** A valid campaign head with `steps` as given (lines 1–4 are the head, steps start at line 5). */
const withSteps = (steps: string) => ({
  'campaigns/cart.yaml': `campaign: cart\npurpose: email.marketing\ntrigger: { event: checkout.started }\nsteps:\n${steps}`,
});

const cases: Array<[string, Record<string, string | null>, string[]]> = [
  [
    'an unknown step, with did-you-mean',
    withSteps('  - sned: cart-reminder\n'),
    ['campaigns/cart.yaml:5:5 unknown step "sned" — did you mean "send"?'],
  ],
  ['an unknown bare step', withSteps('  - wiat\n'), ['campaigns/cart.yaml:5:5 unknown step "wiat" — did you mean "wait"?']],
  [
    'a list item out of line with the one above, said at its first character',
    withSteps('  - wait: 1h\n   - send: cart-reminder\n'),
    [
      'campaigns/cart.yaml:6:4 this list item is indented 3 spaces, the one on line 5 2 spaces — line it up with line 5: start the "- " after 2 spaces',
    ],
  ],
  [
    'a key of a step out of line (the YAML parser stops a line early; the message is at the key)',
    withSteps('  - send: cart-reminder\n     subject: Hi\n'),
    [
      'campaigns/cart.yaml:6:6 "subject:" is indented 5 spaces, but "send:" on line 5 starts after 4 spaces — to put subject in the same map as send, indent it 4 spaces; for a new list item, start it with "- " under the one above',
    ],
  ],
  [
    'on_timeout written as a step of its own (one dash too many): indent it under its wait_until',
    withSteps('  - wait_until: { event: email.clicked, timeout: 24h }\n  - on_timeout:\n      - send: cart-reminder\n'),
    [
      'campaigns/cart.yaml:6:5 "on_timeout" is not a step of its own — indent it under the wait_until step above, without a dash: on_timeout belongs to that wait_until',
    ],
  ],
  [
    'an unknown template, with did-you-mean',
    withSteps('  - send: cart-remindr\n'),
    ['campaigns/cart.yaml:5:11 unknown template "cart-remindr" — did you mean "cart-reminder"?'],
  ],
  [
    'an unknown template, nothing close',
    withSteps('  - send: birthday\n'),
    ['campaigns/cart.yaml:5:11 unknown template "birthday" — add templates/birthday/subject.hbs and html.hbs or text.hbs'],
  ],
  [
    'a fractional duration',
    withSteps('  - wait: 1.5h\n'),
    ['campaigns/cart.yaml:5:11 wait "1.5h" is not a whole number of units — use a smaller unit, e.g. 90m instead of 1.5h'],
  ],
  [
    'a duration in months',
    withSteps('  - wait: 1mo\n'),
    ['campaigns/cart.yaml:5:11 wait "1mo" uses a unit of varying length — write days, e.g. 30d or 365d'],
  ],
  [
    'split arms not summing to 100 %',
    withSteps(
      yaml`
      - split:
          A: { percent: 60%, steps: [ { send: cart-reminder } ] }
          B: 30%
    `.replace(/^/gm, '  '),
    ),
    ['campaigns/cart.yaml:5:5 split arms add up to 90%, not 100% — change the percents so they add up to 100%'],
  ],
  [
    'a split arm with a bad percent',
    withSteps('  - split: { A: [ exit ], B: { percent: fifty, steps: [ exit ] } }\n'),
    ['campaigns/cart.yaml:5:41 split percent "fifty" is not a percentage — write a percentage like 10%'],
  ],
  [
    'a duplicate step id',
    withSteps('  - id: first\n    wait: 1h\n  - id: first\n    send: cart-reminder\n'),
    ['campaigns/cart.yaml:7:9 duplicate step id "first" — already used at line 5; ids must be unique in a campaign'],
  ],
  [
    'steps after exit are unreachable (a warning)',
    withSteps('  - send: cart-reminder\n  - exit\n  - send: cart-discount\n'),
    ['campaigns/cart.yaml:7:5 warning: unreachable step after "exit" — remove it or move the exit below it'],
  ],
  [
    'two steps in one list item',
    withSteps('  - wait: 1h\n    send: cart-reminder\n'),
    ['campaigns/cart.yaml:6:5 one step per list item, found "wait" and "send" — start "send" on its own "- " line'],
  ],
  [
    'a misspelt key beside a step',
    withSteps('  - wait_until: { event: email.clicked, timeout: 1d }\n    on_timout: [ exit ]\n'),
    ['campaigns/cart.yaml:6:5 unknown key "on_timout" in wait_until step — did you mean "on_timeout"?'],
  ],
  [
    'wait_until without a timeout',
    withSteps('  - wait_until: { event: email.clicked }\n'),
    ['campaigns/cart.yaml:5:17 wait_until is missing "timeout" — add timeout: 24h'],
  ],
  [
    '"otherwise" before a "when" arm',
    withSteps('  - branch:\n      - otherwise: [ exit ]\n      - when: { consent: email.marketing }\n        steps: [ exit ]\n'),
    ['campaigns/cart.yaml:6:9 "otherwise" must be the last arm of a branch — move it to the end'],
  ],
  [
    'exit: false',
    withSteps('  - send: cart-reminder\n  - exit: false\n'),
    ['campaigns/cart.yaml:6:11 exit must be written "- exit" or "exit: true", got false — remove the step if the journey should go on'],
  ],
  [
    'a subject that is not a valid template',
    withSteps('  - send: cart-reminder\n    subject: "Hi {{name"\n'),
    ['campaigns/cart.yaml:6:14 subject is not a valid handlebars template — close every {{ with }} and every {{#block}} with {{/block}}'],
  ],
  [
    'steps written as a map',
    withSteps('  send: cart-reminder\n'),
    ['campaigns/cart.yaml:5:3 steps must be a list, got a map — write each item on a "- " line, e.g. - wait: 1h'],
  ],
];

describe('golden messages: steps', () => {
  it.each(cases)('%s', (_title, files, expected) => {
    expect(diagnosticsOf(files)).toEqual(expected);
  });
});
