import { beforeAll, describe, expect, it } from 'vitest';
import type { CalendarView } from '../../../src/forecast/view';
import { backend, useTestDatabase } from '../../helpers/db';
import { bearer, calendarApp } from './app';
import { CONTACTS, DECEMBER_TUESDAYS, applySample } from './setup';

const t = useTestDatabase('calendar_api');
beforeAll(() => applySample(t.database));

const get = (query: string, init: RequestInit = bearer) => calendarApp(t.database).request(`/v1/calendar${query}`, init);

describe(`GET /v1/calendar on ${backend}`, () => {
  it('shows December: newsletter on the Tuesdays at 10:00 Warsaw with its forecast, Christmas blacked out, seasons named', async () => {
    const res = await get('?from=2026-12-01&to=2026-12-31');
    expect(res.status).toBe(200);
    const view = (await res.json()) as CalendarView;
    expect(view.timezone).toBe('Europe/Warsaw');
    expect(view.days.map((d) => d.date)).toHaveLength(31);
    const withNewsletter = view.days.filter((d) => d.occurrences.some((o) => o.campaign === 'newsletter'));
    expect(withNewsletter.map((d) => d.date)).toEqual(DECEMBER_TUESDAYS);
    for (const day of withNewsletter) {
      expect(day.occurrences).toEqual([
        // The sample birthday looks for birthdays every morning.
        expect.objectContaining({ campaign: 'birthday', local: '09:00', zone: 'contact' }),
        expect.objectContaining({ name: 'Tuesday newsletter', local: '10:00', zone: 'contact', label: "10:00 each contact's time" }),
      ]);
      expect(day.forecast).toContainEqual(expect.objectContaining({ campaign: 'newsletter', sends: CONTACTS }));
      expect(day.total).toBeGreaterThanOrEqual(CONTACTS);
    }
    const christmas = view.days.find((d) => d.date === '2026-12-25')!;
    expect(christmas.blackout).toBe('Christmas');
    expect(christmas.forecast.filter((f) => f.campaign === 'newsletter')).toEqual([]);
    expect(view.days.find((d) => d.date === '2026-12-10')!.seasons).toEqual(['Christmas']);
    expect(view.campaigns).toContainEqual({
      id: 'newsletter',
      name: 'Tuesday newsletter',
      color: expect.stringMatching(/^#[0-9a-f]{6}$/),
      kind: 'broadcast',
    });
    expect(view.campaigns).toContainEqual(expect.objectContaining({ id: 'abandoned-cart', kind: 'journey' }));
  });

  it('shows the New Year blackout (an rrule) and Black Friday', async () => {
    const view = (await (await get('?from=2026-11-27&to=2027-01-01')).json()) as CalendarView;
    expect(view.days.at(-1)).toMatchObject({ date: '2027-01-01', blackout: 'New Year' });
    expect(view.days[0]).toMatchObject({ date: '2026-11-27', seasons: ['Black Friday'] });
  });

  it('takes ISO instants for their date in the calendar zone (Europe/Warsaw: 23:30Z is the next day)', async () => {
    const view = (await (
      await get(`?from=${encodeURIComponent('2026-11-26T23:30:00Z')}&to=${encodeURIComponent('2026-11-28T10:00:00+01:00')}`)
    ).json()) as CalendarView;
    expect(view.days.map((d) => d.date)).toEqual(['2026-11-27', '2026-11-28']);
  });

  it.each([
    ['', 'from', 'from: required'],
    ['?from=2026-12-01', 'to', 'to: required'],
    [
      '?from=12/01/2026&to=2026-12-31',
      'from',
      'from: expected a date YYYY-MM-DD from 1900 to 2999, or an ISO instant with its zone such as 2026-12-01T00:00:00Z (got "12/01/2026")',
    ],
    ['?from=2026-12-01&to=2026-02-30', 'to', 'to: expected a date YYYY-MM-DD'],
    ['?from=9999-12-01&to=9999-12-31', 'from', 'from: expected a date YYYY-MM-DD from 1900 to 2999'],
    ['?from=2026-12-31&to=2026-12-01', 'to', 'to: 2026-12-01 is before from (2026-12-31)'],
    ['?from=2026-01-01&to=2027-06-01', 'to', 'to: the range may span at most 366 days'],
  ])('answers "%s" with 400 naming %s', async (query, parameter, message) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { parameter: string } } };
    expect(body.error).toMatchObject({ code: 'bad_request', details: { parameter } });
    expect(body.error.message).toContain(message);
  });

  it('is behind the API key like the rest of /v1 (a ?key= is not enough here)', async () => {
    expect((await get('?from=2026-12-01&to=2026-12-31', {})).status).toBe(401);
    expect((await calendarApp(t.database).request('/v1/calendar?from=2026-12-01&to=2026-12-31&key=calendar-key-51c2')).status).toBe(401);
    expect((await calendarApp(t.database, { apiKeys: [] }).request('/v1/calendar?from=2026-12-01&to=2026-12-31', bearer)).status).toBe(401);
  });
});
