import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/runtime/cli';

/**
 * The sample campaigns' stories (examples/*.ndjson), run the way their first comment says —
 * `almanac simulate --events FILE --from … --to …` over the committed campaigns/ and templates/ —
 * must print what that comment promises: who gets which mail, when, on their own clock, and who
 * gets nothing and why. Each row below is one line of the timeline of the story's own campaign,
 * all of them, in order (other samples, such as the Tuesday newsletter, may add their own lines).
 * simulate runs on its own in-memory PGlite, so this file needs no test database.
 */
async function almanac(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { env: {}, out: (s) => (out += s), err: (s) => (err += s), cwd: process.cwd() });
  return { code, out, err };
}

/** The story's own command, from its comment line. */
function commandOf(path: string): string[] {
  const m = /^# npx almanac (simulate --events (\S+) --from (\S+) --to (\S+))$/m.exec(readFileSync(path, 'utf8'));
  if (!m || m[2] !== path) throw new Error(`${path}: no "# npx almanac simulate --events ${path} --from T --to T" line`);
  return m[1]!.split(' ');
}

/** `time  contact  step  outcome detail` of each timeline row of `campaign` (columns are 2+ spaces apart). */
function rowsOf(out: string, campaign: string): string[] {
  return out
    .split('\n\n')[0]!
    .split('\n')
    .slice(1)
    .map((row) => row.split(/ {2,}/))
    .filter((cells) => cells[2] === campaign)
    .map(([time, contact, , step, outcome]) => `${time}  ${contact}  ${step}  ${outcome}`);
}

const stories: Array<[string, string, string[]]> = [
  [
    'examples/browse-abandonment.ndjson',
    'browse-abandonment',
    [
      // One reminder an hour after Iga's first view; her second view joins nothing.
      'Wed 2026-11-25 10:10 Europe/Warsaw  iga  -  entered',
      'Wed 2026-11-25 10:25 Europe/Warsaw  iga  -  skipped not entered: a run of this campaign is in flight for this contact',
      'Wed 2026-11-25 11:10 Europe/Warsaw  iga  send browse-reminder  sent browse-reminder',
      'Wed 2026-11-25 11:10 Europe/Warsaw  iga  -  completed reached the end of its steps',
      // Jon's checkout ends the browse run (the cart campaign takes over: not this campaign's lines).
      'Wed 2026-11-25 12:00 Europe/London  jon  -  entered',
      'Wed 2026-11-25 12:20 Europe/London  jon  -  exited left: checkout.started happened (exit_on)',
      'Wed 2026-11-25 15:00 Europe/Berlin  kai  -  skipped not entered: no consent for email.marketing (never given)',
      // Lena's reminder falls at 22:30 her time: quiet hours hold it until 08:00.
      'Wed 2026-11-25 21:30 Europe/Warsaw  lena  -  entered',
      'Thu 2026-11-26 08:00 Europe/Warsaw  lena  send browse-reminder  sent browse-reminder (held since Wed 2026-11-25 22:30 Europe/Warsaw: quiet hours)',
      'Thu 2026-11-26 08:00 Europe/Warsaw  lena  -  completed reached the end of its steps',
    ],
  ],
  [
    'examples/review-request.ndjson',
    'review-request',
    [
      'Mon 2026-11-23 10:00 Europe/Warsaw  olga  -  entered',
      'Mon 2026-11-23 14:00 Europe/Warsaw  mia  -  entered',
      'Mon 2026-11-23 15:00 America/New_York  noah  -  entered',
      // Olga's second parcel, two days later: one request a fortnight.
      'Wed 2026-11-25 10:00 Europe/Warsaw  olga  -  skipped not entered: the re-entry rule (in this campaign before)',
      'Wed 2026-11-25 10:00 America/New_York  noah  -  exited left: order.refunded happened (exit_on)',
      // Three days after each delivery, at the hour it arrived.
      'Thu 2026-11-26 10:00 Europe/Warsaw  olga  send review-request  sent review-request',
      'Thu 2026-11-26 10:00 Europe/Warsaw  olga  -  completed reached the end of its steps',
      'Thu 2026-11-26 14:00 Europe/Warsaw  mia  send review-request  sent review-request',
      'Thu 2026-11-26 14:00 Europe/Warsaw  mia  -  completed reached the end of its steps',
    ],
  ],
  [
    'examples/birthday.ndjson',
    'birthday',
    [
      // 09:00 on the day on each contact's clock: Auckland's Thursday morning is Wednesday 20:00 UTC.
      'Thu 2026-11-26 09:00 Pacific/Auckland  pia  -  entered occurrence 2026-11-26T09:00 Pacific/Auckland',
      'Thu 2026-11-26 09:00 Pacific/Auckland  pia  send birthday  sent birthday',
      'Thu 2026-11-26 09:00 Pacific/Auckland  pia  -  completed reached the end of its steps',
      'Thu 2026-11-26 09:00 America/Los_Angeles  quinn  -  entered occurrence 2026-11-26T09:00 America/Los_Angeles',
      'Thu 2026-11-26 09:00 America/Los_Angeles  quinn  send birthday  sent birthday',
      'Thu 2026-11-26 09:00 America/Los_Angeles  quinn  -  completed reached the end of its steps',
      // No zone: the calendar's. No consent (Sam): nothing at all.
      'Fri 2026-11-27 09:00 Europe/Warsaw  rosa  -  entered occurrence 2026-11-27T09:00 in the calendar zone (contact has none)',
      'Fri 2026-11-27 09:00 Europe/Warsaw  rosa  send birthday  sent birthday',
      'Fri 2026-11-27 09:00 Europe/Warsaw  rosa  -  completed reached the end of its steps',
    ],
  ],
  [
    'examples/vip-welcome.ndjson',
    'vip-welcome',
    [
      // Vera's fourth order (11:00 UTC) makes her loyal: she enters vip at that tick. Walt is not loyal yet.
      'Wed 2026-11-25 12:00 Europe/Warsaw  vera  -  entered',
      'Wed 2026-11-25 12:00 Europe/Warsaw  vera  send vip-welcome  sent vip-welcome',
      'Wed 2026-11-25 12:00 Europe/Warsaw  vera  -  completed reached the end of its steps',
    ],
  ],
];

describe('the sample stories, as their comments run them', () => {
  // Each is days of virtual time on a fresh in-memory PGlite: seconds to half a minute on a busy machine.
  it.each(stories)('%s: who gets what, when', { timeout: 120_000 }, async (path, campaign, expected) => {
    const r = await almanac(...commandOf(path));
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(rowsOf(r.out, campaign)).toEqual(expected);
  });
});
