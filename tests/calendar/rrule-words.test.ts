import { describe, expect, it } from 'vitest';
import { rruleWords } from '../../src/calendar/rrule-words';

describe('rruleWords', () => {
  it('words a schedule with its local times', () => {
    expect(rruleWords('FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0')).toBe('every week on Tuesday at 10:00');
    expect(rruleWords('FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=10;BYMINUTE=30')).toBe('every week on Tuesday, Friday at 10:30');
    expect(rruleWords('FREQ=DAILY;BYHOUR=9,18')).toBe('every day at 09:00, 18:00');
    expect(rruleWords('FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=8')).toBe('every month on the last Friday at 08:00');
  });

  it('gives a rule it cannot word as written', () => {
    expect(rruleWords('not a rule')).toBe('not a rule');
  });
});
