import { describe, expect, it } from 'vitest';
import { expandTrigger } from '../../src/calendar/occurrences';
import { addDays, instantToLocal, localToInstant } from '../../src/calendar/zone';
import { DAY, HOUR, at } from './fixtures';

/**
 * The DST transitions of 2026 and 2027 (local dates). `gap` is a wall time that does not exist on
 * the spring-forward day, `repeat` one that happens twice on the fall-back day.
 */
const zones = [
  {
    zone: 'Europe/Warsaw',
    springForward: ['2026-03-29', '2027-03-28'],
    fallBack: ['2026-10-25', '2027-10-31'],
    gap: '02:30',
    repeat: '02:30',
  },
  {
    zone: 'America/New_York',
    springForward: ['2026-03-08', '2027-03-14'],
    fallBack: ['2026-11-01', '2027-11-07'],
    gap: '02:30',
    repeat: '01:30',
  },
  {
    zone: 'Australia/Sydney',
    springForward: ['2026-10-04', '2027-10-03'],
    fallBack: ['2026-04-05', '2027-04-04'],
    gap: '02:30',
    repeat: '02:30',
  },
  {
    zone: 'America/St_Johns',
    springForward: ['2026-03-08', '2027-03-14'],
    fallBack: ['2026-11-01', '2027-11-07'],
    gap: '02:30',
    repeat: '01:30',
  },
  { zone: 'Asia/Kolkata', springForward: [], fallBack: [], gap: '02:30', repeat: '02:30' },
];

const transitions = zones.flatMap((z) => [
  ...z.springForward.map((day) => ({ ...z, day, kind: 'spring-forward' })),
  ...z.fallBack.map((day) => ({ ...z, day, kind: 'fall-back' })),
]);

const weekly = (rrule: string, timezone: string) => ({ kind: 'schedule' as const, rrule, timezone });

describe('weekly 10:00 broadcast across every 2026 and 2027 transition', () => {
  it.each(transitions)('$zone $kind $day: one send a week, each at 10:00 local on Sunday', ({ zone, day }) => {
    const range = { from: at(`${addDays(day, -21)}T00:00`, zone), to: at(`${addDays(day, 22)}T00:00`, zone) };
    const sends = expandTrigger(weekly('FREQ=WEEKLY;BYDAY=SU;BYHOUR=10;BYMINUTE=0', zone), range, zone);
    expect(sends.map((s) => instantToLocal(s, zone).date)).toEqual([-21, -14, -7, 0, 7, 14, 21].map((n) => addDays(day, n)));
    for (const s of sends) expect(instantToLocal(s, zone)).toMatchObject({ time: '10:00', weekday: 0 });
    // The week across the transition is an hour shorter or longer, never a day.
    const gaps = sends.slice(1).map((s, i) => s.getTime() - sends[i]!.getTime());
    for (const g of gaps) expect(Math.abs(g - 7 * DAY)).toBeLessThanOrEqual(HOUR);
  });

  it.each(zones)('$zone: Tuesday 10:00 in 2026–2027 sends on every Tuesday, once, at 10:00', ({ zone }) => {
    const range = { from: at('2026-01-01T00:00', zone), to: at('2028-01-01T00:00', zone) };
    const sends = expandTrigger(weekly('FREQ=WEEKLY;BYDAY=TU;BYHOUR=10', 'contact'), range, zone);
    expect(sends).toHaveLength(52 + 52); // 2026 and 2027 each have 52 Tuesdays
    expect(new Set(sends.map((s) => instantToLocal(s, zone).date)).size).toBe(sends.length);
    for (const s of sends) expect(instantToLocal(s, zone)).toMatchObject({ time: '10:00', weekday: 2 });
  });
});

describe('nonexistent and ambiguous local times', () => {
  it.each(transitions.filter((t) => t.kind === 'spring-forward'))(
    '$zone $day: $gap does not exist and moves forward by the gap',
    ({ zone, day, gap }) => {
      const moved = localToInstant(`${day}T${gap}`, zone);
      expect(instantToLocal(moved, zone).time).toBe('03:30');
      expect(moved).toEqual(localToInstant(`${day}T03:30`, zone));
      // A 02:30 broadcast that Sunday still sends, once.
      const range = { from: at(`${day}T00:00`, zone), to: at(`${addDays(day, 1)}T00:00`, zone) };
      expect(expandTrigger(weekly(`FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=30`, zone), range, zone)).toEqual([moved]);
    },
  );

  it.each(transitions.filter((t) => t.kind === 'fall-back'))(
    '$zone $day: $repeat happens twice and the first one is taken',
    ({ zone, day, repeat }) => {
      const first = localToInstant(`${day}T${repeat}`, zone);
      expect(instantToLocal(first, zone).time).toBe(repeat);
      expect(instantToLocal(new Date(first.getTime() + HOUR), zone).time).toBe(repeat); // the second pass
      const [hh, mm] = repeat.split(':');
      const range = { from: at(`${day}T00:00`, zone), to: at(`${addDays(day, 1)}T00:00`, zone) };
      expect(expandTrigger(weekly(`FREQ=WEEKLY;BYDAY=SU;BYHOUR=${+hh!};BYMINUTE=${+mm!}`, zone), range, zone)).toEqual([first]);
    },
  );

  it.each(zones)('$zone: a daily 02:30 send over 2026–2027 goes exactly once every local day', ({ zone, springForward }) => {
    const range = { from: at('2026-01-01T00:00', zone), to: at('2028-01-01T00:00', zone) };
    const sends = expandTrigger(weekly('FREQ=DAILY;BYHOUR=2;BYMINUTE=30', zone), range, zone);
    const locals = sends.map((s) => instantToLocal(s, zone));
    expect(new Set(locals.map((l) => l.date)).size).toBe(730);
    expect(sends).toHaveLength(730);
    expect(locals.filter((l) => l.time !== '02:30').map((l) => `${l.date}T${l.time}`)).toEqual(
      springForward.map((d) => `${d}T03:30`).sort(),
    );
  });

  it('Asia/Kolkata and America/St_Johns keep their half-hour offsets', () => {
    expect(localToInstant('2026-07-01T10:00', 'Asia/Kolkata').toISOString()).toBe('2026-07-01T04:30:00.000Z');
    expect(localToInstant('2026-07-01T10:00', 'America/St_Johns').toISOString()).toBe('2026-07-01T12:30:00.000Z');
    expect(localToInstant('2026-01-15T10:00', 'America/St_Johns').toISOString()).toBe('2026-01-15T13:30:00.000Z');
  });
});
