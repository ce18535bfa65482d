import { describe, expect, it } from 'vitest';
import { expandForZones, expandTrigger } from '../../src/calendar/occurrences';
import { instantToLocal } from '../../src/calendar/zone';
import { DAY, at } from './fixtures';

const tuesdays = { kind: 'schedule' as const, rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0', timezone: 'contact' };
const december = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-16T00:00:00Z') };
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('contact-zone broadcasts', () => {
  it('10:00 in Warsaw and 10:00 in New York are different instants', () => {
    const byZone = expandForZones(tuesdays, december, ['Europe/Warsaw', 'America/New_York', 'Europe/Warsaw']);
    expect([...byZone.keys()]).toEqual(['Europe/Warsaw', 'America/New_York']);
    expect(iso(byZone.get('Europe/Warsaw')!)).toEqual(['2026-12-01T09:00:00.000Z', '2026-12-08T09:00:00.000Z', '2026-12-15T09:00:00.000Z']);
    expect(iso(byZone.get('America/New_York')!)).toEqual([
      '2026-12-01T15:00:00.000Z',
      '2026-12-08T15:00:00.000Z',
      '2026-12-15T15:00:00.000Z',
    ]);
  });

  it('a trigger with its own zone sends at the same instants to every zone', () => {
    const warsaw = { ...tuesdays, timezone: 'Europe/Warsaw' };
    const byZone = expandForZones(warsaw, december, ['America/New_York', 'Asia/Kolkata']);
    expect(iso(byZone.get('America/New_York')!)).toEqual(iso(byZone.get('Asia/Kolkata')!));
    expect(byZone.get('Asia/Kolkata')![0]!.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(iso(expandTrigger(warsaw, december, 'America/New_York'))).toEqual(iso(byZone.get('Asia/Kolkata')!));
  });

  it('refuses an invalid zone with a pointer to zoneOrFallback', () => {
    expect(() => expandForZones(tuesdays, december, ['Mars/Olympus'])).toThrow(/zoneOrFallback/);
  });
});

describe('range, start, until and at', () => {
  it('the range is [from, to): an occurrence exactly at `to` is left for the next range', () => {
    const zone = 'Europe/Warsaw';
    const sends = expandTrigger(tuesdays, { from: at('2026-12-01T10:00', zone), to: at('2026-12-15T10:00', zone) }, zone);
    expect(sends.map((s) => instantToLocal(s, zone).date)).toEqual(['2026-12-01', '2026-12-08']);
  });

  it('start bounds the series and until is inclusive', () => {
    const bounded = { ...tuesdays, start: '2026-12-08T00:00', until: '2026-12-22T10:00' };
    const sends = expandTrigger(bounded, { from: new Date('2026-11-01T00:00Z'), to: new Date('2027-02-01T00:00Z') }, 'Europe/Warsaw');
    expect(sends.map((s) => instantToLocal(s, 'Europe/Warsaw').date)).toEqual(['2026-12-08', '2026-12-15', '2026-12-22']);
  });

  it('time of day comes from start when the rule has no BYHOUR', () => {
    const rule = { kind: 'schedule' as const, rrule: 'FREQ=MONTHLY;BYMONTHDAY=1', timezone: 'Asia/Kolkata', start: '2026-01-01T09:15' };
    const sends = expandTrigger(rule, { from: new Date('2026-03-01T00:00Z'), to: new Date('2026-05-01T00:00Z') }, 'UTC');
    expect(sends.map((s) => instantToLocal(s, 'Asia/Kolkata'))).toMatchObject([
      { date: '2026-03-01', time: '09:15' },
      { date: '2026-04-01', time: '09:15' },
    ]);
  });

  it('without start, an every-other-week rule has the same weeks whatever range is asked', () => {
    const fortnightly = { kind: 'schedule' as const, rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=10', timezone: 'Europe/Warsaw' };
    const whole = iso(expandTrigger(fortnightly, { from: new Date('2026-11-01T00:00Z'), to: new Date('2027-01-01T00:00Z') }, 'UTC'));
    const pieces = [
      ...expandTrigger(fortnightly, { from: new Date('2026-11-01T00:00Z'), to: new Date('2026-11-20T00:00Z') }, 'UTC'),
      ...expandTrigger(fortnightly, { from: new Date('2026-11-20T00:00Z'), to: new Date('2026-12-09T00:00Z') }, 'UTC'),
      ...expandTrigger(fortnightly, { from: new Date('2026-12-09T00:00Z'), to: new Date('2027-01-01T00:00Z') }, 'UTC'),
    ];
    expect(whole).toHaveLength(4);
    expect(iso(pieces)).toEqual(whole);
    expect(new Date(whole[1]!).getTime() - new Date(whole[0]!).getTime()).toBe(14 * DAY);
  });

  it('a one-off `at` fires once, in the contact zone when it says contact', () => {
    const once = { kind: 'at' as const, at: '2026-11-27T10:00', timezone: 'contact' };
    const range = { from: new Date('2026-11-01T00:00Z'), to: new Date('2026-12-01T00:00Z') };
    expect(iso(expandTrigger(once, range, 'America/New_York'))).toEqual(['2026-11-27T15:00:00.000Z']);
    expect(iso(expandTrigger(once, range, 'Asia/Kolkata'))).toEqual(['2026-11-27T04:30:00.000Z']);
    expect(expandTrigger(once, { from: new Date('2026-12-01T00:00Z'), to: new Date('2027-01-01T00:00Z') }, 'UTC')).toEqual([]);
  });

  it('an empty or backwards range gives nothing', () => {
    expect(expandTrigger(tuesdays, { from: december.to, to: december.from }, 'UTC')).toEqual([]);
  });

  it('a rule with far too many occurrences is refused with a message, not expanded forever', () => {
    const secondly = { kind: 'schedule' as const, rrule: 'FREQ=SECONDLY', timezone: 'UTC' };
    expect(() => expandTrigger(secondly, december, 'UTC')).toThrow(/more than 100000 occurrences/);
  });

  it('a garbled rrule (not from the compiler) is a clear error', () => {
    expect(() => expandTrigger({ ...tuesdays, rrule: 'BYDAY=TU' }, december, 'UTC')).toThrow(/cannot be read/);
  });
});

describe('process time zone independence', () => {
  const cases = () =>
    [
      expandTrigger(tuesdays, { from: new Date('2026-03-01T00:00Z'), to: new Date('2026-04-15T00:00Z') }, 'Europe/Warsaw'),
      expandTrigger(tuesdays, { from: new Date('2026-10-01T00:00Z'), to: new Date('2026-11-15T00:00Z') }, 'America/St_Johns'),
      expandTrigger(
        { kind: 'schedule', rrule: 'FREQ=DAILY;BYHOUR=2;BYMINUTE=30', timezone: 'Australia/Sydney' },
        { from: new Date('2026-09-28T00:00Z'), to: new Date('2026-10-10T00:00Z') },
        'UTC',
      ),
      expandTrigger(
        { kind: 'schedule', rrule: 'FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=9', timezone: 'Asia/Kolkata' },
        { from: new Date('2026-01-01T00:00Z'), to: new Date('2027-01-01T00:00Z') },
        'UTC',
      ),
      expandTrigger(
        { kind: 'at', at: '2026-03-29T02:30', timezone: 'Europe/Warsaw' },
        { from: new Date('2026-03-01T00:00Z'), to: new Date('2026-04-01T00:00Z') },
        'UTC',
      ),
    ].map(iso);

  it('gives the same instants whatever TZ the process runs in', () => {
    const saved = process.env.TZ;
    const baseline = cases();
    try {
      for (const tz of ['America/Los_Angeles', 'Asia/Tokyo', 'Pacific/Chatham', 'Europe/Warsaw', 'America/St_Johns']) {
        process.env.TZ = tz;
        // The switch took: the process clock now has this zone's offset.
        expect(new Date('2026-01-15T12:00:00Z').getTimezoneOffset()).not.toBe(0);
        expect(cases(), `TZ=${tz}`).toEqual(baseline);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(baseline.flat().length).toBeGreaterThan(20);
  });
});
