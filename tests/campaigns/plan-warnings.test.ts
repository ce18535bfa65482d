import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calendarWarnings } from '../../src/campaigns/calendar-warnings';
import { alwaysSends, firstSends, triggerMinutes } from '../../src/campaigns/send-times';
import { stepWarnings } from '../../src/campaigns/warnings';
import type { BroadcastTrigger } from '../../src/calendar/occurrences';
import { compileInline } from '../helpers/engine';

/** Authoring issue: the static warnings of `almanac plan --forecast`, pure over a compiled project. */
const templates = readdirSync('templates');
const samples = Object.fromEntries(readdirSync('campaigns').map((f) => [`campaigns/${f}`, readFileSync(`campaigns/${f}`, 'utf8')]));
const NOW = new Date('2026-11-23T07:00:00Z');

const campaign = (id: string, body: string) => ({ [`campaigns/${id}.yaml`]: `campaign: ${id}\npurpose: email.marketing\n${body}` });
const project = (files: Record<string, string>) => compileInline({ ...samples, ...files }, templates);
const only = (files: Record<string, string>, id: string) => project(files).campaigns.find((c) => c.id === id)!;
const broadcast = (id: string, rrule: string, more = '', steps = '  - send: newsletter\n') =>
  campaign(id, `priority: 30\ntrigger:\n  schedule: { rrule: "${rrule}", timezone: contact }\n${more}steps:\n${steps}`);

describe('step warnings', () => {
  it('say nothing about the sample campaigns, nor does the calendar check', () => {
    const p = project({});
    expect(p.campaigns.flatMap(stepWarnings)).toEqual([]);
    expect(calendarWarnings(p, NOW)).toEqual([]);
  });

  it('name the first step after an exit, and how many follow it', () => {
    const plan = only(
      campaign('x', 'trigger: { event: a.b }\nsteps:\n  - send: newsletter\n  - exit\n  - wait: 1d\n  - send: newsletter\n'),
      'x',
    );
    expect(stepWarnings(plan)).toEqual([
      {
        kind: 'unreachable_step',
        campaign: 'x',
        step: 'steps[2]',
        message: 'steps[2] (wait 1d) and the 1 step after it never run: it comes after the exit at steps[1]',
      },
    ]);
  });

  it('see a step after a branch whose every arm exits, and a copied arm that never holds; an on_timeout exit ends nothing', () => {
    const plan = only(
      campaign(
        'x',
        `trigger: { event: checkout.started }
steps:
  - wait_until: { event: email.clicked, timeout: 1d }
    on_timeout: [ exit ]
  - branch:
      - when: { attribute: cart.total, gte: 100 }
        steps: [ exit ]
      - when: { attribute: cart.total, gte: 100 }
        steps: [ { send: cart-discount } ]
      - otherwise: [ exit ]
  - send: cart-last-call
`,
      ),
      'x',
    );
    expect(stepWarnings(plan)).toEqual([
      {
        kind: 'arm_never_holds',
        campaign: 'x',
        step: 'steps[1].branch[1].steps[0]',
        message:
          'arm 2 of steps[1] (when trigger.total ≥ 100) is never taken: arm 1 before it has the same condition (trigger.total ≥ 100)',
      },
      {
        kind: 'unreachable_step',
        campaign: 'x',
        step: 'steps[2]',
        message:
          'steps[2] (send cart-last-call) never runs: every path through steps[1] (branch (2 when + otherwise)) ends the run at an exit',
      },
    ]);
  });

  it('a branch with an arm that can still send does not end the run', () => {
    const plan = only(
      campaign(
        'x',
        'trigger: { event: a.b }\nsteps:\n  - branch:\n      - when: { attribute: vip, is: true }\n        steps: [ exit ]\n      - otherwise: [ { send: newsletter } ]\n  - send: newsletter\n',
      ),
      'x',
    );
    expect(stepWarnings(plan)).toEqual([]);
  });
});

describe('send times', () => {
  const minutes = (rrule: string, start?: string) =>
    triggerMinutes({ kind: 'schedule', rrule, timezone: 'contact', ...(start ? { start } : {}) } as BroadcastTrigger);

  it('read the minutes of the day a rule fires at from BYHOUR/BYMINUTE, else its start (00:00 without one)', () => {
    expect(minutes('FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0')).toEqual([600]);
    expect(minutes('FREQ=WEEKLY;BYDAY=TU;BYHOUR=9,17;BYMINUTE=15')).toEqual([555, 1035]);
    expect(minutes('FREQ=WEEKLY;BYDAY=TU')).toEqual([0]);
    expect(minutes('FREQ=DAILY', '2026-11-01T07:45')).toEqual([465]);
    expect(minutes('FREQ=HOURLY', '2026-11-01T07:45')).toHaveLength(24); // every hour, at :45 — a superset is enough
    expect(triggerMinutes({ kind: 'at', at: '2026-12-01T22:10', timezone: 'contact' })).toEqual([1330]);
  });

  it('know when a run’s first sends fall due: waits add up, on_timeout runs at the timeout, nothing after a wait_until or a send', () => {
    const plan = only(
      campaign(
        'x',
        `trigger: { event: a.b }
steps:
  - wait: 1h
  - branch:
      - when: { attribute: vip, is: true }
        steps: [ { wait: 2h } ]
      - otherwise: []
  - wait_until: { event: email.clicked, timeout: 1d }
    on_timeout: [ { send: newsletter } ]
  - send: welcome-1
  - send: welcome-2
`,
      ),
      'x',
    );
    const h = 3_600_000;
    expect(firstSends(plan.steps).map((s) => [s.step.key, s.offsets])).toEqual([
      ['steps[2].on_timeout[0]', [25 * h, 27 * h]],
      ['steps[3]', null],
    ]);
    expect(alwaysSends(plan.steps)).toBe(true); // steps[3] is on every path
    expect(
      alwaysSends(
        only(
          campaign(
            'y',
            'trigger: { event: a.b }\nsteps:\n  - wait_until: { event: e.f, timeout: 1d }\n    on_timeout: [ { send: newsletter } ]\n',
          ),
          'y',
        ).steps,
      ),
    ).toBe(false);
  });
});

describe('calendar warnings', () => {
  const warnings = (files: Record<string, string>) =>
    calendarWarnings(project(files), NOW).map((w) => [w.kind, w.campaign, w.step, w.message]);

  it('a send always due inside quiet hours at each contact’s time; not in a fixed zone, not transactional, not when a wait may cross the edge', () => {
    expect(warnings(broadcast('late', 'FREQ=WEEKLY;BYDAY=WE;BYHOUR=22;BYMINUTE=30'))).toEqual([
      [
        'always_quiet_hours',
        'late',
        'steps[0]',
        "steps[0] (send newsletter) is due at 22:30 in each contact's zone, inside quiet hours (21:00–08:00) every time: no send goes at its time, each waits until 08:00",
      ],
    ]);
    // 20:00 and two hours of waiting: 22:00, in quiet hours even an hour either side (a DST night).
    expect(warnings(broadcast('late', 'FREQ=WEEKLY;BYDAY=WE;BYHOUR=20', '', '  - wait: 2h\n  - send: newsletter\n'))[0]?.[3]).toContain(
      'is due at 22:00',
    );
    // 20:30 plus an hour is 21:30, but an hour less is 20:30: not provable, so not said.
    expect(warnings(broadcast('late', 'FREQ=WEEKLY;BYDAY=WE;BYHOUR=20;BYMINUTE=30', '', '  - wait: 1h\n  - send: newsletter\n'))).toEqual(
      [],
    );
    // A rule without a time fires at midnight: the classic slip.
    expect(warnings(broadcast('late', 'FREQ=WEEKLY;BYDAY=WE'))[0]?.[3]).toContain('is due at 00:00');
    const fixed = campaign(
      'late',
      'trigger:\n  schedule: { rrule: "FREQ=WEEKLY;BYDAY=WE;BYHOUR=23", timezone: Europe/Warsaw }\nsteps:\n  - send: newsletter\n',
    );
    expect(warnings(fixed)).toEqual([]);
    const receipt = {
      'campaigns/late.yaml':
        'campaign: late\npurpose: email.transactional\ntrigger:\n  schedule: { rrule: "FREQ=WEEKLY;BYDAY=WE;BYHOUR=23", timezone: contact }\nsteps:\n  - send: newsletter\n',
    };
    expect(warnings(receipt)).toEqual([]);
  });

  it('a broadcast more frequent than a cap allows, and the one it then always beats', () => {
    expect(warnings(broadcast('daily', 'FREQ=DAILY;BYHOUR=12'))).toEqual([
      [
        'over_cap',
        'daily',
        'steps[0]',
        'fires 7 times within 7d, but the frequency cap email.marketing 3/7d allows 3: at least 4 of every 7 wait for room in the cap (on_conflict: defer)',
      ],
      [
        'always_outranked',
        'newsletter',
        'steps[0]',
        'every send meets daily (priority 30) within the frequency cap email.marketing 3/7d and loses (its priority is 20): each waits for room in the cap (on_conflict: defer)',
      ],
    ]);
  });

  it('not outranked by a broadcast that holds some contacts out, reaches fewer of them, or comes only now and then', () => {
    expect(warnings(broadcast('daily', 'FREQ=DAILY;BYHOUR=12', 'holdout: 10%\n')).map((w) => w[0])).toEqual(['over_cap']);
    expect(warnings(broadcast('daily', 'FREQ=DAILY;BYHOUR=12', 'audience: { attribute: vip, is: true }\n')).map((w) => w[0])).toEqual([
      'over_cap',
    ]);
    expect(warnings(broadcast('monthly', 'FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9'))).toEqual([]);
  });

  it('the same audience with priority ties going to the smaller campaign id', () => {
    const same = 'audience:\n  all:\n    - consent: email.marketing\n    - attribute: email\n      exists: true\n';
    const w = warnings({
      ...campaign(
        'a-first',
        `priority: 20\ntrigger:\n  schedule: { rrule: "FREQ=WEEKLY;BYDAY=TU;BYHOUR=9", timezone: contact }\n${same}steps:\n  - send: newsletter\n`,
      ),
      'campaigns/calendar.yaml': samples['campaigns/calendar.yaml']!,
    });
    expect(w).toEqual([
      [
        'always_outranked',
        'newsletter',
        'steps[0]',
        'every send meets a-first (priority 20) within the frequency cap any 1/1d and loses (its priority is 20; on equal priority the smaller campaign id goes first): each waits for room in the cap (on_conflict: defer)',
      ],
    ]);
  });
});
