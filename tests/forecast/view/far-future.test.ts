import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { calendarView } from '../../../src/forecast/calendar-view';
import { entrySlots } from '../../../src/forecast/candidates';
import { Pace } from '../../../src/forecast/pace';
import type { CalendarView } from '../../../src/forecast/view';
import { calendarRoutes } from '../../../src/http/calendar';
import { monthGrid } from '../../../src/http/calendar-page';
import { onError } from '../../../src/http/on-error';
import { backend, useTestDatabase } from '../../helpers/db';
import { API_KEY, CONTACTS, NOW, applySample } from './setup';

/**
 * A month far ahead costs what a near one costs: the forecast starts its clock shortly before the
 * window (not at `now`), rrules skip ahead to it, entry slots start there. Asserted on the work
 * counted by the request's Pace (rrule dates iterated plus the forecast's loop steps), not on time.
 */
const t = useTestDatabase('calendar_far');
beforeAll(() => applySample(t.database));

function app(paces: Pace[]) {
  const a = new Hono();
  a.route('/', calendarRoutes({ database: t.database, apiKeys: [API_KEY], now: () => NOW, onPace: (p) => paces.push(p) }));
  a.onError(onError(() => {}));
  return a;
}
const bearer = { headers: { authorization: `Bearer ${API_KEY}` } };

async function spentOn(range: { from: string; to: string }): Promise<{ view: CalendarView; spent: number }> {
  const pace = new Pace();
  const view = await calendarView(t.database, range, NOW, { pace });
  return { view, spent: pace.spent };
}

describe(`a calendar far in the future on ${backend}`, () => {
  it('December 2999 takes no more work than December 2026, and still shows the Tuesdays with their forecast', async () => {
    const near = await spentOn(monthGrid('2026-12'));
    const far = await spentOn(monthGrid('2999-12'));
    expect(far.spent).toBeLessThanOrEqual(Math.max(2 * near.spent, 500));
    const tuesdays = far.view.days.filter((d) => d.date.startsWith('2999-12') && d.occurrences.some((o) => o.campaign === 'newsletter'));
    expect(tuesdays.map((d) => d.date)).toEqual(['2999-12-03', '2999-12-10', '2999-12-17', '2999-12-24', '2999-12-31']);
    for (const day of tuesdays.filter((d) => d.blackout === undefined)) {
      expect(day.forecast).toContainEqual(expect.objectContaining({ campaign: 'newsletter', sends: CONTACTS }));
    }
  });

  it('GET /calendar?month=2999-12 and GET /v1/calendar?from=2999-12-01&to=2999-12-31 answer with bounded work', async () => {
    const paces: Pace[] = [];
    const page = await app(paces).request('/calendar?month=2999-12', bearer);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('December 2999');
    const json = await app(paces).request('/v1/calendar?from=2999-12-01&to=2999-12-31', bearer);
    expect(json.status).toBe(200);
    expect(((await json.json()) as CalendarView).days).toHaveLength(31);
    expect(paces).toHaveLength(2);
    for (const p of paces) expect(p.spent).toBeLessThan(1_000);
  });

  it('the month range stays 1900–2999, named in a 400', async () => {
    const res = await app([]).request('/calendar?month=3000-01', bearer);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'bad_request', details: { parameter: 'month' } } });
  });

  it('entry slots start at the window, not at now: one slot per day of the window', () => {
    const hours = [{ hour: 9, zone: 'Europe/Warsaw', count: 14, meanSecond: 0 }];
    const slots = entrySlots(hours, 14, NOW, new Date('3000-01-01T00:00:00Z'), new Date('2999-12-01T00:00:00Z'));
    expect(slots).toHaveLength(31);
    expect(slots[0]!.at.toISOString()).toBe('2999-12-01T09:00:00.000Z');
  });
});
