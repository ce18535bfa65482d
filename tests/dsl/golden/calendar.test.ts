import { describe, expect, it } from 'vitest';
import { diagnosticsOf, yaml } from '../fixtures/project';

const calendar = (text: string) => ({ 'campaigns/calendar.yaml': text });
const broadcast = (trigger: string) => ({
  'campaigns/cart.yaml': `campaign: cart\npurpose: email.marketing\nsteps: [ { send: newsletter } ]\ntrigger:\n${trigger}`,
});

const cases: Array<[string, Record<string, string | null>, string[]]> = [
  [
    'an unknown zone, with did-you-mean',
    calendar('timezone: Europe/Warsw\n'),
    ['campaigns/calendar.yaml:1:11 unknown timezone "Europe/Warsw" — did you mean "Europe/Warsaw"?'],
  ],
  [
    'quiet hours that are not a time of day',
    calendar('timezone: UTC\nquiet_hours: { from: "25:00", to: "08:00" }\n'),
    ['campaigns/calendar.yaml:2:22 quiet_hours from "25:00" is not a time of day — write HH:MM in 24-hour time, in quotes, e.g. "21:00"'],
  ],
  [
    'a frequency cap of 0',
    calendar('timezone: UTC\nfrequency_caps:\n  - { purpose: any, max: 0, per: 1d }\n'),
    ['campaigns/calendar.yaml:3:26 max 0 is out of range — use a number at least 1'],
  ],
  [
    'overlapping seasons',
    calendar(yaml`
      timezone: UTC
      seasons:
        - { name: Autumn sale, from: 2026-11-01, to: 2026-11-30 }
        - { name: Black Friday, from: 2026-11-27, to: 2026-11-30 }
    `),
    [
      'campaigns/calendar.yaml:4:5 season "Black Friday" overlaps "Autumn sale" (2026-11-01 to 2026-11-30) — seasons may not share days; move one of them',
    ],
  ],
  [
    'a season that ends before it starts',
    calendar('timezone: UTC\nseasons:\n  - { name: Winter, from: 2026-12-31, to: 2026-12-10 }\n'),
    ['campaigns/calendar.yaml:3:43 season "Winter" ends (2026-12-10) before it starts (2026-12-31) — swap from and to'],
  ],
  [
    'a date that does not exist',
    calendar('timezone: UTC\nblackout:\n  - { date: 2026-02-30, reason: Nope }\n'),
    ['campaigns/calendar.yaml:3:13 blackout date "2026-02-30" is not a real date — check the month and day'],
  ],
  [
    'a misspelt on_conflict',
    calendar('timezone: UTC\non_conflict: defr\n'),
    ['campaigns/calendar.yaml:2:14 on_conflict "defr" is not defer or skip — did you mean "defer"?'],
  ],
  [
    'an invalid rrule part, pointed at inside the string',
    broadcast('  schedule: { rrule: "FREQ=WEEKLY;BYDAY=TU;BYHOR=10" }\n'),
    ['campaigns/cart.yaml:5:44 unknown rrule part "BYHOR" — did you mean "BYHOUR"?'],
  ],
  [
    'every problem of an rrule at once, each at its part',
    broadcast('  schedule: { rrule: "FREQ=WEEKY;BYDAY=TX;BYHOR=10" }\n'),
    [
      'campaigns/cart.yaml:5:28 rrule FREQ=WEEKY is not valid — did you mean "WEEKLY"?',
      'campaigns/cart.yaml:5:40 rrule BYDAY=TX is not valid — BYDAY takes days MO, TU, WE, TH, FR, SA, SU (e.g. TU or 1MO), comma separated',
      'campaigns/cart.yaml:5:43 unknown rrule part "BYHOR" — did you mean "BYHOUR"?',
    ],
  ],
  [
    'an rrule value out of range',
    calendar('timezone: UTC\nblackout:\n  - { rrule: "FREQ=YEARLY;BYMONTH=13", reason: Never }\n'),
    ['campaigns/calendar.yaml:3:35 rrule BYMONTH=13 is not valid — BYMONTH takes months 1–12, comma separated'],
  ],
  [
    'an rrule no day can match (rrule itself would search to the year 9999)',
    broadcast('  schedule: { rrule: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30" }\n'),
    [
      'campaigns/cart.yaml:5:23 rrule never occurs: no day matches BYMONTH=2 and BYMONTHDAY=30 together (February has at most 29 days; April, June, September and November 30) — check the month and day parts',
    ],
  ],
  [
    'a blackout rule with a sixth Friday',
    calendar('timezone: UTC\nblackout:\n  - { rrule: "FREQ=MONTHLY;BYDAY=6FR", reason: Never }\n'),
    [
      'campaigns/calendar.yaml:3:15 rrule never occurs: no day matches BYDAY (a month has at most 5 of each weekday, a year 53) — check the month and day parts',
    ],
  ],
  [
    'a purpose declared twice, the transactional one declared, a label with a bad locale',
    calendar(
      'timezone: UTC\npurposes:\n  - { id: email.news, label: News }\n  - { id: email.news, label: Again }\n  - { id: email.transactional, label: Receipts }\n  - { id: email.deals, label: { english: Deals } }\n',
    ),
    [
      'campaigns/calendar.yaml:4:5 purpose "email.news" is declared twice — declare each purpose once',
      'campaigns/calendar.yaml:5:11 email.transactional needs no consent and cannot be declared — declare only purposes people opt into',
      'campaigns/calendar.yaml:6:33 "english" is not a locale — use locales such as en, pl or pt-BR',
    ],
  ],
  [
    'DTSTART inside an rrule',
    broadcast('  schedule:\n    rrule: "DTSTART:20260101T000000Z;FREQ=DAILY"\n'),
    ['campaigns/cart.yaml:6:13 rrule must not contain DTSTART — give the first date as start: instead'],
  ],
  [
    'a broadcast zone that does not exist',
    broadcast('  schedule: { rrule: "FREQ=DAILY", timezone: Mars/Olympus }\n'),
    ['campaigns/cart.yaml:5:46 unknown timezone "Mars/Olympus" — use contact or an IANA zone such as Europe/Warsaw'],
  ],
  [
    'a broadcast whose every occurrence is blacked out',
    broadcast('  schedule:\n    rrule: "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;BYHOUR=10"\n    start: 2026-01-01T00:00\n'),
    [
      'campaigns/cart.yaml:6:5 every occurrence of this broadcast in its first year falls on a blackout date — e.g. 2026-12-25 (Christmas); change the rrule or the blackout in campaigns/calendar.yaml',
    ],
  ],
  [
    'a one-off send on a blackout date',
    broadcast('  at: 2026-12-25T10:00\n'),
    [
      'campaigns/cart.yaml:5:7 this one-off send falls on a blackout date (2026-12-25, Christmas) — move it to another day or change the blackout in campaigns/calendar.yaml',
    ],
  ],
];

describe('golden messages: calendar and broadcasts', () => {
  it.each(cases)('%s', (_title, files, expected) => {
    expect(diagnosticsOf(files)).toEqual(expected);
  });
});
