import { describe, expect, it } from 'vitest';
import { fold, text, toIcs } from '../../src/calendar/ics';

const now = new Date('2026-11-20T08:30:05.123Z');
const octets = (s: string) => new TextEncoder().encode(s).length;
/** RFC 5545 §3.1 unfolding: a CRLF followed by one space or tab is removed. */
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '');

const feed = () =>
  toIcs({
    calendarName: 'Almanac, marketing',
    now,
    events: [
      {
        uid: 'newsletter/2026-12-01@almanac',
        start: new Date('2026-12-01T09:00:00Z'),
        end: new Date('2026-12-01T10:00:00Z'),
        summary: 'Tuesday newsletter; 165 sends, 3 zones',
        description: 'Line one\nLine two with a back\\slash',
        categories: ['newsletter'],
      },
      { uid: 'blackout/2026-12-25@almanac', start: new Date(0), allDay: { date: '2026-12-25' }, summary: 'Blackout: Christmas' },
      {
        uid: 'season/black-friday@almanac',
        start: new Date(0),
        allDay: { date: '2026-11-27', endDate: '2026-11-30' },
        summary: 'Black Friday',
      },
    ],
  });

describe('toIcs', () => {
  it('is a VCALENDAR of CRLF lines, each ended by CRLF, none with a bare LF or CR', () => {
    const ics = feed();
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(3);
    expect(ics.match(/END:VEVENT/g)).toHaveLength(3);
  });

  it('writes timed events in UTC with a DTSTAMP of `now`, and all-day events as VALUE=DATE with an exclusive end', () => {
    const lines = unfold(feed()).split('\r\n');
    expect(lines).toContain('DTSTART:20261201T090000Z');
    expect(lines).toContain('DTEND:20261201T100000Z');
    expect(lines.filter((l) => l === 'DTSTAMP:20261120T083005Z')).toHaveLength(3);
    expect(lines).toContain('DTSTART;VALUE=DATE:20261225');
    expect(lines).toContain('DTEND;VALUE=DATE:20261226');
    expect(lines).toContain('DTSTART;VALUE=DATE:20261127');
    expect(lines).toContain('DTEND;VALUE=DATE:20261201');
    expect(lines).toContain('UID:newsletter/2026-12-01@almanac');
  });

  it('escapes backslash, semicolon, comma and newlines in text', () => {
    const lines = unfold(feed()).split('\r\n');
    expect(lines).toContain('SUMMARY:Tuesday newsletter\\; 165 sends\\, 3 zones');
    expect(lines).toContain('DESCRIPTION:Line one\\nLine two with a back\\\\slash');
    expect(lines).toContain('X-WR-CALNAME:Almanac\\, marketing');
    expect(text('a\r\nb\rc\u0007d')).toBe('a\\nb\\ncd');
  });

  it('folds lines longer than 75 octets and unfolding gives the line back', () => {
    const summary = 'Black Friday: '.repeat(20);
    const ics = toIcs({ calendarName: 'x', now, events: [{ uid: 'u', start: now, summary }] });
    for (const line of ics.split('\r\n')) expect(octets(line)).toBeLessThanOrEqual(75);
    expect(unfold(ics).split('\r\n')).toContain(`SUMMARY:${summary}`);
  });

  it('never splits a UTF-8 character when folding', () => {
    const line = `SUMMARY:${'Zażółć gęślą jaźń 🎄 '.repeat(8)}`;
    const folded = fold(line);
    const pieces = folded.split('\r\n');
    expect(pieces.length).toBeGreaterThan(2);
    for (const [i, piece] of pieces.entries()) {
      expect(octets(piece)).toBeLessThanOrEqual(75);
      if (i > 0) expect(piece.startsWith(' ')).toBe(true);
      expect(piece).not.toMatch(/[\ud800-\udfff]/u); // no lone surrogate: every character whole
    }
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(fold('A'.repeat(75))).toBe('A'.repeat(75));
    expect(fold('A'.repeat(76))).toBe(`${'A'.repeat(75)}\r\n A`);
  });

  it('refuses an invalid date with the event named', () => {
    expect(() => toIcs({ calendarName: 'x', now, events: [{ uid: 'bad-1', start: new Date(NaN), summary: 's' }] })).toThrow(/bad-1/);
    expect(() =>
      toIcs({ calendarName: 'x', now, events: [{ uid: 'bad-2', start: now, allDay: { date: '25/12/2026' }, summary: 's' }] }),
    ).toThrow(/bad-2/);
  });
});
