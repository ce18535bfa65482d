import { describe, expect, it } from 'vitest';
import { instantToLocal, isValidZone, localToInstant, zoneOrFallback } from '../../src/calendar/zone';

describe('instantToLocal', () => {
  it('reads date, time, minute of day, weekday and offset on the zone clock', () => {
    const instant = new Date('2026-11-24T23:30:00Z'); // a Tuesday in UTC, Wednesday in Warsaw
    expect(instantToLocal(instant, 'Europe/Warsaw')).toEqual({
      date: '2026-11-25',
      time: '00:30',
      minuteOfDay: 30,
      weekday: 3,
      offsetMinutes: 60,
    });
    expect(instantToLocal(instant, 'America/New_York')).toEqual({
      date: '2026-11-24',
      time: '18:30',
      minuteOfDay: 1110,
      weekday: 2,
      offsetMinutes: -300,
    });
    expect(instantToLocal(instant, 'Asia/Kolkata')).toMatchObject({ date: '2026-11-25', time: '05:00', offsetMinutes: 330 });
  });

  it('round-trips with localToInstant on an ordinary day', () => {
    const instant = localToInstant('2026-06-16T10:00', 'Australia/Sydney');
    expect(instant.toISOString()).toBe('2026-06-16T00:00:00.000Z');
    expect(instantToLocal(instant, 'Australia/Sydney')).toMatchObject({ date: '2026-06-16', time: '10:00' });
  });
});

describe('localToInstant', () => {
  it('accepts seconds and a bare date (midnight)', () => {
    expect(localToInstant('2026-06-16T10:00:30', 'UTC').toISOString()).toBe('2026-06-16T10:00:30.000Z');
    expect(localToInstant('2026-06-16', 'Europe/Warsaw').toISOString()).toBe('2026-06-15T22:00:00.000Z');
  });

  it('refuses what is not a real local date-time, and unknown zones, with a message', () => {
    expect(() => localToInstant('2026-02-30T10:00', 'UTC')).toThrow(/not a local date-time/);
    expect(() => localToInstant('2026-06-16T24:00', 'UTC')).toThrow(/not a local date-time/);
    expect(() => localToInstant('2026-06-16T10:00Z', 'UTC')).toThrow(/not a local date-time/);
    expect(() => localToInstant('2026-06-16T10:00', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});

describe('zones', () => {
  it('isValidZone knows IANA names and refuses the rest', () => {
    expect(isValidZone('Europe/Warsaw')).toBe(true);
    expect(isValidZone('UTC')).toBe(true);
    for (const bad of ['Mars/Olympus', '', ' Europe/Warsaw', null, undefined, 42]) expect(isValidZone(bad)).toBe(false);
  });

  it('zoneOrFallback uses the contact zone when valid, else the calendar zone, and says which', () => {
    expect(zoneOrFallback('America/New_York', 'Europe/Warsaw')).toEqual({ zone: 'America/New_York', source: 'contact' });
    expect(zoneOrFallback(null, 'Europe/Warsaw')).toEqual({ zone: 'Europe/Warsaw', source: 'calendar' });
    expect(zoneOrFallback(undefined, 'Europe/Warsaw')).toEqual({ zone: 'Europe/Warsaw', source: 'calendar' });
    expect(zoneOrFallback('Narnia/Cair_Paravel', 'Europe/Warsaw')).toEqual({ zone: 'Europe/Warsaw', source: 'calendar' });
  });
});
