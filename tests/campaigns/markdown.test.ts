import { describe, expect, it } from 'vitest';
import { planMarkdown } from '../../src/campaigns/format';

/** Authoring issue: `almanac plan --format markdown`, the pull-request comment. */
describe('plan as markdown', () => {
  it('puts each change under its sign in a diff block, with the counts as its heading', () => {
    const text = [
      '  ~ campaign cart (version 1 → 2; running runs finish on version 1; new runs start on 2)',
      '      ~ reminder  send cart-reminder → send cart-last-call  [0 runs here]',
      '      ~ priority: 50 → 80',
      '  + campaign newsletter (version 1)',
      '      purpose: email.marketing, priority 20',
      '  - campaign welcome (retire version 1; no new runs start)',
      '  = unchanged: calendar.yaml',
      '',
      'Plan: 1 to add, 1 to change, 1 to remove.',
      '',
    ].join('\n');
    expect(planMarkdown(text)).toBe(
      '### Almanac plan: 1 to add, 1 to change, 1 to remove\n\n```diff\n' +
        '! campaign cart (version 1 → 2; running runs finish on version 1; new runs start on 2)\n' +
        '!     ~ reminder  send cart-reminder → send cart-last-call  [0 runs here]\n' +
        '!     ~ priority: 50 → 80\n' +
        '+ campaign newsletter (version 1)\n' +
        '+     purpose: email.marketing, priority 20\n' +
        '- campaign welcome (retire version 1; no new runs start)\n' +
        '  unchanged: calendar.yaml\n' +
        '```\n\nNothing changes until `almanac apply` runs on the main branch.\n',
    );
  });
});
