import ICAL from 'ical.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { backend, useTestDatabase } from '../../helpers/db';
import { calendarApp } from './app';
import { API_KEY, DECEMBER_TUESDAYS, NOW, applySample } from './setup';

const t = useTestDatabase('calendar_ics');
beforeAll(() => applySample(t.database));

/** The feed as a calendar app would fetch it (no headers: the key rides in the URL). */
async function feed(query = '', now = NOW): Promise<ICAL.Event[]> {
  const res = await calendarApp(t.database, { now }).request(`/calendar.ics?key=${API_KEY}${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  const calendar = new ICAL.Component(ICAL.parse(await res.text()));
  return calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
}

const day = (e: ICAL.Event) => e.startDate.toString().slice(0, 10);

describe(`GET /calendar.ics on ${backend}, read by ical.js`, () => {
  it('has every event with a UID, a start and a summary; newsletters on Tuesdays at 09:00Z, blackouts all day', async () => {
    const events = await feed();
    expect(events.length).toBeGreaterThan(30);
    for (const e of events) {
      expect(e.uid).toMatch(/@almanac$/);
      expect(e.startDate).toBeTruthy();
      expect(e.summary).toBeTruthy();
    }
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
    const newsletters = events.filter((e) => e.summary === 'Tuesday newsletter');
    const december = newsletters.filter((e) => e.startDate.toJSDate().toISOString().startsWith('2026-12'));
    expect(december.map((e) => e.startDate.toJSDate().toISOString())).toEqual(DECEMBER_TUESDAYS.map((d) => `${d}T09:00:00.000Z`));
    expect(december[0]!.uid).toBe('newsletter-2026-12-01T10:00@almanac');
    // default window: 30 days back to 180 ahead of 2026-11-23 (the series starts on 1 November)
    expect(newsletters.map((e) => e.startDate.toJSDate().toISOString().slice(0, 10)).sort()[0]).toBe('2026-11-03');
    expect(newsletters.every((e) => e.startDate.toJSDate() <= new Date('2027-05-23T00:00:00Z'))).toBe(true);
    const blackouts = events.filter((e) => e.summary.startsWith('Blackout'));
    expect(blackouts.map((e) => [e.summary, day(e), e.startDate.isDate, e.endDate.toString()])).toEqual([
      ['Blackout: Christmas', '2026-12-25', true, '2026-12-26'],
      ['Blackout: New Year', '2027-01-01', true, '2027-01-02'],
    ]);
    expect(events.find((e) => e.summary === 'Season: Black Friday')).toMatchObject({ uid: 'season-black-friday-2026-11-27@almanac' });
  });

  it('keeps the same UIDs on a later fetch, so subscribed calendars update events in place', async () => {
    const range = '&from=2026-12-01&to=2027-01-31';
    const first = (await feed(range)).map((e) => e.uid);
    const later = (await feed(range, new Date('2026-11-30T08:00:00Z'))).map((e) => e.uid);
    expect(later).toEqual(first);
    expect(first).toContain('blackout-2026-12-25@almanac');
  });

  it('accepts the key as a bearer header or ?key=, and nothing else', async () => {
    const app = calendarApp(t.database);
    expect((await app.request('/calendar.ics', { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(200);
    expect((await app.request('/calendar.ics')).status).toBe(401);
    expect((await app.request('/calendar.ics?key=guess')).status).toBe(401);
    expect((await calendarApp(t.database, { apiKeys: [] }).request(`/calendar.ics?key=${API_KEY}`)).status).toBe(401);
    expect((await app.request(`/calendar.ics?key=${API_KEY}&from=2026-12-01`)).status).toBe(400);
  });
});
