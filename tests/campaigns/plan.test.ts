import { describe, expect, it } from 'vitest';
import { backend, useTestDatabase } from '../helpers/db';
import { HOUR, applyInline, at, compileInline, engine, ingest, plus } from '../helpers/engine';
import { planText, templates } from './fixtures';

const t = useTestDatabase('campaign_plan');
const T0 = at('2026-11-23T10:00:00Z');

/** Every step carries an `id:`, so keys survive edits around them. */
const v1 = `campaign: cart
name: Cart recovery
purpose: email.marketing
trigger: { event: checkout.started, correlate: checkout_id }
steps:
  - id: first-wait
    wait: 1h
  - id: reminder
    send: cart-reminder
  - id: await-click
    wait_until: { event: email.clicked, timeout: 24h }
    on_timeout:
      - id: by-total
        branch:
          - when: { attribute: cart.total, gte: 100 }
            steps:
              - id: discount
                send: cart-discount
          - when: { attribute: cart.total, gte: 50 }
            steps:
              - id: small-discount
                send: cart-discount
          - otherwise:
              - id: last-call
                send: cart-last-call
`;

/** Version 2: the first wait is gone, the reminder uses another template, a step is inserted,
 *  the timeout is longer and the small-discount arm of the branch is deleted. */
const v2 = (migrate: boolean) =>
  v1
    .replace('purpose: email.marketing\n', `purpose: email.marketing\n${migrate ? 'migrate: true\n' : ''}`)
    .replace('  - id: first-wait\n    wait: 1h\n', '')
    .replace('send: cart-reminder\n', 'send: cart-last-call\n  - id: pause\n    wait: 2h\n')
    .replace('timeout: 24h', 'timeout: 48h')
    .replace(/ {10}- when: \{ attribute: cart.total, gte: 50 \}\n.*\n.*\n.*\n/, '');

const checkout = (n: number, when: Date) => ({
  id: `checkout-${n}`,
  type: 'checkout.started',
  occurred_at: when.toISOString(),
  contact: { id: `c-${n}`, email: `c${n}@example.com` },
  properties: { checkout_id: `k-${n}`, total: 80 },
});

describe(`plan on ${backend}`, () => {
  it('an empty database: every campaign and file is added', async () => {
    expect(await planText(t.database, compileInline({ 'campaigns/cart.yaml': v1 }, templates))).toBe(
      [
        '  + campaign cart (version 1)',
        // A new campaign in words: what starts it, who it reaches, what it does.
        '      name: Cart recovery',
        '      purpose: email.marketing, priority 50',
        '      starts when checkout.started happens (one run per checkout_id; events up to 1d old)',
        '      reaches everyone triggered',
        '      enters once per contact, ever',
        '      steps:',
        '        1. wait 1h',
        '        2. send cart-reminder',
        '        3. wait up to 1d for email.clicked; if it does not come:',
        '           1. branch:',
        '              when trigger.total ≥ 100:',
        '                 1. send cart-discount',
        '              when trigger.total ≥ 50:',
        '                 1. send cart-discount',
        '              otherwise:',
        '                 1. send cart-last-call',
        '  + calendar.yaml → version 1',
        '  + segments.yaml → version 1',
        '',
        'Plan: 3 to add, 0 to change, 0 to remove.',
        '',
      ].join('\n'),
    );
  });

  it('a changed campaign lists its steps by key with the runs sitting on each; runs finish on version 1', async () => {
    await applyInline(t.database, { 'campaigns/cart.yaml': v1 }, templates, T0);
    const engineOf = engine(t.database, { dispatch: true });
    // Each instant twice: sends go out in the first tick, and their runs go on in the second.
    const tick = async (now: Date) => {
      await engineOf.tick(now);
      await engineOf.tick(now);
    };
    const early = plus(T0, -2 * HOUR);
    await ingest(t.database, [checkout(1, early), checkout(2, early)], early);
    await tick(early);
    await tick(plus(early, HOUR)); // 1 and 2 got the reminder and now await a click
    await ingest(t.database, [checkout(3, T0)], T0);
    await tick(T0); // 3 sleeps in first-wait

    const project = compileInline({ 'campaigns/cart.yaml': v2(false), 'campaigns/newsletter.yaml': newsletter }, templates);
    expect(await planText(t.database, project))
      .toBe(`  ~ campaign cart (version 1 → 2; running runs finish on version 1; new runs start on 2)
      ~ reminder        send cart-reminder → send cart-last-call  [0 runs here]
      + pause           wait 2h
      ~ await-click     wait_until email.clicked (timeout 1d) → wait_until email.clicked (timeout 2d)  [2 runs here]
      ~ by-total        branch (2 when + otherwise) → branch (1 when + otherwise)  [0 runs here]
      - first-wait      wait 1h  [1 run here: they finish on the old version]
      - small-discount  send cart-discount  [0 runs here]
  + campaign newsletter (version 1)
      name: Newsletter
      purpose: email.marketing, priority 50
      starts every week on Tuesday at 10:00 (UTC)
      reaches everyone triggered
      enters at every occurrence (one run per contact each time; re_entry does not apply to schedules)
      steps:
        1. send newsletter
  = unchanged: calendar.yaml, segments.yaml

Plan: 1 to add, 1 to change, 0 to remove.
`);
  });

  it('with migrate: true the plan says runs move by key, and those on a removed step exit', async () => {
    const text = await planText(t.database, compileInline({ 'campaigns/cart.yaml': v2(true) }, templates));
    expect(text).toContain('  ~ campaign cart (version 1 → 2; running runs move to version 2 by step key (migrate: true))\n');
    expect(text).toContain('      - first-wait      wait 1h  [1 run here: they exit (step removed)]\n');
    expect(text).toContain(
      '      ~ await-click     wait_until email.clicked (timeout 1d) → wait_until email.clicked (timeout 2d)  [2 runs here]\n',
    );
  });

  it('a settings-only change names every setting, old → new', async () => {
    const changed = v1
      .replace(
        'purpose: email.marketing\n',
        'purpose: email.marketing\npriority: 80\naudience: { consent: email.marketing }\nre_entry: { after: 30d }\n',
      )
      .replace('name: Cart recovery', 'name: Cart rescue');
    const text = await planText(t.database, compileInline({ 'campaigns/cart.yaml': changed }, templates));
    expect(text).toContain(
      '  ~ campaign cart (version 1 → 2; running runs finish on version 1; new runs start on 2)\n' +
        '      ~ name: Cart recovery → Cart rescue\n' +
        '      ~ priority: 50 → 80\n' +
        '      ~ audience: everyone triggered → has consent for email.marketing\n' +
        '      ~ re_entry: once per contact, ever → again after 30d\n',
    );
    expect(text).not.toContain('no step or setting changes');
  });

  it('a campaign file that is gone is removed, with its running runs counted', async () => {
    expect(await planText(t.database, compileInline({}, templates))).toBe(
      '  - campaign cart (retire version 1; no new runs start, 3 running runs finish on it)\n' +
        '  = unchanged: calendar.yaml, segments.yaml\n\nPlan: 0 to add, 0 to change, 1 to remove.\n',
    );
  });

  it('a run waiting for its held reminder is counted on the send step', async () => {
    const journeys = engine(t.database); // no dispatcher: the reminder stays queued, as a held send does
    await ingest(t.database, [checkout(4, T0)], T0);
    await journeys.tick(T0);
    await journeys.tick(plus(T0, HOUR));
    const text = await planText(t.database, compileInline({ 'campaigns/cart.yaml': v2(false) }, templates));
    // 3 (asleep in first-wait until now) and 4 are both at the reminder, waiting for it to go.
    expect(text).toContain('      ~ reminder        send cart-reminder → send cart-last-call  [2 runs here]\n');
    expect(text).toContain('      - first-wait      wait 1h  [0 runs here]\n');
  });
});

const newsletter = `campaign: newsletter
name: Newsletter
purpose: email.marketing
trigger: { schedule: { rrule: "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10", timezone: UTC } }
steps:
  - send: newsletter
`;
