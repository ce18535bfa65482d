import { describe, expect, it } from 'vitest';
import { diagnosticsOf, yaml } from '../fixtures/project';

// Golden messages: each case is one mistake a marketer makes in a trigger, with the exact line they see.
const cart = (text: string) => ({ 'campaigns/cart.yaml': text });

const cases: Array<[string, Record<string, string | null>, string[]]> = [
  [
    'within that is not a duration',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      trigger:
        event: checkout.started
        correlate: checkout_id
        within: soon
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:6:11 within "soon" is not a duration — write a duration like 24h or 2d, or any'],
  ],
  [
    'within of zero',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      trigger: { event: checkout.started, within: 0m }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:3:45 within must be longer than 0 — write a duration like 24h or 2d, or any'],
  ],
  [
    'within without a unit',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      trigger:
        event: checkout.started
        within: 48
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:5:11 within "48" has no unit — add one: 48m, 48h, 48d or 48w'],
  ],
  [
    'within on a broadcast',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      trigger:
        schedule: { rrule: "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10" }
        within: 2h
      steps: [ { send: newsletter } ]
    `),
    [
      'campaigns/cart.yaml:5:3 within is only for event triggers, not a schedule trigger — it limits how old the triggering event may be; remove it',
    ],
  ],
  [
    'a misspelt within, with did-you-mean',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      trigger:
        event: checkout.started
        withn: 2h
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:5:3 unknown key "withn" in event trigger — did you mean "within"?'],
  ],
];

describe('golden messages: triggers', () => {
  it.each(cases)('%s', (_title, files, expected) => {
    expect(diagnosticsOf(files)).toEqual(expected);
  });
});
