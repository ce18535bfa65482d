import { describe, expect, it } from 'vitest';
import { diagnosticsOf, yaml } from '../fixtures/project';

const cases: Array<[string, Record<string, string | null>, string[]]> = [
  [
    'a duplicate campaign id',
    { 'campaigns/cart.yml': 'campaign: cart\npurpose: email.marketing\ntrigger: { event: checkout.started }\nsteps: [ exit ]\n' },
    ['campaigns/cart.yml:1:11 duplicate campaign id "cart" — also used in campaigns/cart.yaml:1:11; each campaign needs its own id'],
  ],
  [
    'an emit cycle between two campaigns',
    {
      'campaigns/cart.yaml': yaml`
        campaign: cart
        purpose: email.marketing
        trigger: { event: checkout.started }
        steps:
          - emit: cart.done
      `,
      'campaigns/after.yaml': yaml`
        campaign: after
        purpose: email.marketing
        trigger: { event: cart.done }
        steps:
          - emit: checkout.started
      `,
    },
    [
      'campaigns/after.yaml:5:11 emit cycle: after emits "checkout.started", which triggers cart; cart emits "cart.done", which triggers after — a campaign must not trigger itself through emitted events; remove an emit or change a trigger',
    ],
  ],
  [
    'a campaign that triggers itself',
    { 'campaigns/cart.yaml': 'campaign: cart\npurpose: email.marketing\ntrigger: { event: cart.again }\nsteps:\n  - emit: cart.again\n' },
    [
      'campaigns/cart.yaml:5:11 emit cycle: cart emits "cart.again", which triggers cart — a campaign must not trigger itself through emitted events; remove an emit or change a trigger',
    ],
  ],
  [
    'an unknown trigger, with did-you-mean',
    { 'campaigns/cart.yaml': 'campaign: cart\npurpose: email.marketing\ntrigger: { evnt: checkout.started }\nsteps: [ exit ]\n' },
    ['campaigns/cart.yaml:3:12 unknown trigger "evnt" — did you mean "event"?'],
  ],
  [
    'a segments file that is not YAML does not make its names "unknown" elsewhere',
    {
      'campaigns/segments.yaml': 'vip: { event: order.created\n',
      'campaigns/cart.yaml': 'campaign: cart\npurpose: email.marketing\ntrigger: { segment: { enters: vip } }\nsteps: [ exit ]\n',
    },
    [
      'campaigns/segments.yaml:2:1 malformed YAML: Flow map in block collection must be sufficiently indented and end with a } — check the indentation and close every bracket and quote',
    ],
  ],
  [
    'every problem in every file is reported, not just the first',
    {
      'campaigns/cart.yaml':
        'campaign: cart\npurpose: email.marketing\ntrigger: { event: checkout.started }\nsteps:\n  - sned: x\n  - wait: soon\n',
      'campaigns/calendar.yaml': 'timezone: Europe/Warsw\n',
    },
    [
      'campaigns/calendar.yaml:1:11 unknown timezone "Europe/Warsw" — did you mean "Europe/Warsaw"?',
      'campaigns/cart.yaml:5:5 unknown step "sned" — did you mean "send"?',
      'campaigns/cart.yaml:6:11 wait "soon" is not a duration — write a number and a unit: 45s, 30m, 1h, 2d or 1w',
    ],
  ],
];

describe('golden messages: across files', () => {
  it.each(cases)('%s', (_title, files, expected) => {
    expect(diagnosticsOf(files)).toEqual(expected);
  });
});
