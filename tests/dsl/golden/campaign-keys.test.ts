import { describe, expect, it } from 'vitest';
import { diagnosticsOf, yaml } from '../fixtures/project';

// Golden messages: each case is one mistake a marketer makes, with the exact line they see.
const cart = (text: string) => ({ 'campaigns/cart.yaml': text });

const cases: Array<[string, Record<string, string | null>, string[]]> = [
  [
    'malformed YAML (an unclosed flow list)',
    cart('campaign: cart\nsteps: [ { send: cart-reminder }\npurpose: email.marketing\n'),
    [
      'campaigns/cart.yaml:3:1 malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ] — check the indentation and close every bracket and quote',
    ],
  ],
  [
    'a key given twice',
    cart('campaign: cart\npurpose: email.marketing\npurpose: email.transactional\ntrigger: { event: checkout.started }\nsteps: [ exit ]\n'),
    ['campaigns/cart.yaml:3:1 malformed YAML: Map keys must be unique — each key may appear once in a map; remove or rename one'],
  ],
  [
    'a wrong type (text where a number belongs)',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      priority: high
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:3:11 priority must be a whole number, got "high" — use a number from 0 to 100'],
  ],
  [
    'priority out of range',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      priority: 101
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:3:11 priority 101 is out of range — use a number from 0 to 100'],
  ],
  [
    'an unknown key, with did-you-mean',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      priorty: 5
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:3:1 unknown key "priorty" in campaign — did you mean "priority"?'],
  ],
  [
    'a missing required key',
    cart(yaml`
      campaign: cart
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:1:1 campaign is missing "purpose" — add purpose: email.marketing'],
  ],
  [
    'the file name does not match the campaign id',
    cart(yaml`
      campaign: carts
      purpose: email.marketing
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    [
      'campaigns/cart.yaml:1:11 campaign id "carts" does not match the file name "cart" — rename the file to carts.yaml or write campaign: cart',
    ],
  ],
  [
    'a percentage without the percent sign',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      holdout: 10
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:3:10 holdout "10" is not a percentage — add the percent sign: 10%'],
  ],
  [
    'a holdout of everyone',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      holdout: 100%
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:3:10 holdout 100% is out of range — use 0% to 99%'],
  ],
  [
    'a duration without a unit',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      re_entry: { after: 30 }
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:3:20 re_entry after "30" has no unit — add one: 30m, 30h, 30d or 30w'],
  ],
  [
    'a misspelt re_entry mode',
    cart(yaml`
      campaign: cart
      purpose: email.marketing
      re_entry: nevr
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:3:11 re_entry "nevr" is not never, always or { after: DURATION } — did you mean "never"?'],
  ],
  [
    'a misspelt purpose (a warning: custom purposes are allowed)',
    cart(yaml`
      campaign: cart
      purpose: email.marketng
      trigger: { event: checkout.started }
      steps: [ exit ]
    `),
    ['campaigns/cart.yaml:2:10 warning: unknown purpose "email.marketng" — did you mean "email.marketing"?'],
  ],
  ['an empty campaign file', cart('# nothing yet\n'), ['campaigns/cart.yaml:1:1 empty campaign file — start it with campaign: cart']],
];

describe('golden messages: campaign keys and scalars', () => {
  it.each(cases)('%s', (_title, files, expected) => {
    expect(diagnosticsOf(files)).toEqual(expected);
  });
});
