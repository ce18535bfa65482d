import { describe, expect, it } from 'vitest';
import { releaseFromQuietHours } from '../../src/calendar/quiet-hours';
import { instantToLocal } from '../../src/calendar/zone';
import { HOUR, at } from './fixtures';

const night = { fromMinute: 21 * 60, toMinute: 8 * 60 }; // 21:00–08:00, wraps midnight
const lunch = { fromMinute: 12 * 60, toMinute: 14 * 60 };
const W = 'Europe/Warsaw';

describe('releaseFromQuietHours', () => {
  it.each([
    ['2026-12-01T22:30', '2026-12-02T08:00'],
    ['2026-12-01T21:00', '2026-12-02T08:00'],
    ['2026-12-01T00:00', '2026-12-01T08:00'],
    ['2026-12-01T07:59', '2026-12-01T08:00'],
    ['2026-12-01T08:00', '2026-12-01T08:00'],
    ['2026-12-01T20:59', '2026-12-01T20:59'],
    ['2026-12-31T23:00', '2027-01-01T08:00'],
  ])('21:00–08:00 in Warsaw: a send due %s goes at %s', (due, expected) => {
    expect(releaseFromQuietHours(at(due, W), W, night)).toEqual(at(expected, W));
  });

  it.each([
    ['2026-12-01T13:00', '2026-12-01T14:00'],
    ['2026-12-01T12:00', '2026-12-01T14:00'],
    ['2026-12-01T14:00', '2026-12-01T14:00'],
    ['2026-12-01T23:00', '2026-12-01T23:00'],
  ])('a window that does not wrap (12:00–14:00): %s goes at %s', (due, expected) => {
    expect(releaseFromQuietHours(at(due, W), W, lunch)).toEqual(at(expected, W));
  });

  it("counts in the contact's zone: one instant is night in Warsaw and afternoon in New York", () => {
    const instant = new Date('2026-12-01T21:30:00Z');
    expect(releaseFromQuietHours(instant, W, night).toISOString()).toBe('2026-12-02T07:00:00.000Z');
    expect(releaseFromQuietHours(instant, 'America/New_York', night)).toEqual(instant);
    expect(releaseFromQuietHours(instant, 'Asia/Kolkata', night).toISOString()).toBe('2026-12-02T02:30:00.000Z');
  });

  it('a release across spring-forward is 08:00 local, an hour less of real time', () => {
    const due = at('2026-03-28T22:00', W); // Saturday, CET
    const release = releaseFromQuietHours(due, W, night);
    expect(instantToLocal(release, W)).toMatchObject({ date: '2026-03-29', time: '08:00', offsetMinutes: 120 });
    expect(release.getTime() - due.getTime()).toBe(9 * HOUR);
  });

  it('a release across fall-back is 08:00 local, an hour more of real time', () => {
    const due = at('2026-10-31T22:00', 'America/New_York');
    const release = releaseFromQuietHours(due, 'America/New_York', night);
    expect(instantToLocal(release, 'America/New_York')).toMatchObject({ date: '2026-11-01', time: '08:00', offsetMinutes: -300 });
    expect(release.getTime() - due.getTime()).toBe(11 * HOUR);
  });

  it('a window ending in the spring-forward gap releases at the end moved forward', () => {
    const release = releaseFromQuietHours(at('2026-03-29T01:00', W), W, { fromMinute: 0, toMinute: 150 });
    expect(instantToLocal(release, W)).toMatchObject({ date: '2026-03-29', time: '03:30' });
  });

  it('a window ending in the fall-back repeat never releases into the past', () => {
    const quiet = { fromMinute: 60, toMinute: 150 }; // 01:00–02:30
    const firstPass = new Date('2026-10-25T00:10:00Z'); // 02:10 CEST
    const secondPass = new Date('2026-10-25T01:10:00Z'); // 02:10 CET
    expect(releaseFromQuietHours(firstPass, W, quiet).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(releaseFromQuietHours(secondPass, W, quiet).toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });

  it('no quiet hours: the send goes when due', () => {
    const due = at('2026-12-01T23:00', W);
    expect(releaseFromQuietHours(due, W, undefined)).toBe(due);
  });
});
