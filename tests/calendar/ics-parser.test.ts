import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { toIcs } from '../../src/calendar/ics';

// ical.js is a real RFC 5545 parser (a devDependency): what it reads back is what calendar apps see.
describe('toIcs read back by ical.js', () => {
  it('parses: names, UIDs, unescaped text, UTC and all-day times', () => {
    const description = 'Line one\nLine two; with, punctuation \\ and a long tail '.repeat(4);
    const ics = toIcs({
      calendarName: 'Almanac; marketing',
      now: new Date('2026-11-20T08:30:00Z'),
      events: [
        {
          uid: 'newsletter/2026-12-01@almanac',
          start: new Date('2026-12-01T09:00:00Z'),
          summary: 'Tuesday newsletter, 165 sends 🎄',
          description,
        },
        { uid: 'blackout/2026-12-25@almanac', start: new Date(0), allDay: { date: '2026-12-25' }, summary: 'Blackout: Christmas' },
      ],
    });
    const calendar = new ICAL.Component(ICAL.parse(ics));
    // ical.js does not know NAME (RFC 7986) or X-WR-CALNAME, so it hands back their raw, escaped text.
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Almanac\\; marketing');
    expect(calendar.getFirstPropertyValue('prodid')).toBe('-//Almanac//Marketing calendar//EN');
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.uid)).toEqual(['newsletter/2026-12-01@almanac', 'blackout/2026-12-25@almanac']);
    const [newsletter, blackout] = events as [ICAL.Event, ICAL.Event];
    expect(newsletter.summary).toBe('Tuesday newsletter, 165 sends 🎄');
    expect(newsletter.description).toBe(description);
    expect(newsletter.startDate.toJSDate().toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(newsletter.startDate.zone.tzid).toBe('UTC');
    expect(blackout.startDate.isDate).toBe(true);
    expect(blackout.startDate.toString()).toBe('2026-12-25');
    expect(blackout.endDate.toString()).toBe('2026-12-26');
  });
});
