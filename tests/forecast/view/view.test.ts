import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_RANGE_DAYS, PALETTE, buildCalendarView, campaignColor, rangeProblem, viewToIcs } from '../../../src/forecast/view';
import { compileInline } from '../../helpers/engine';
import { DECEMBER_TUESDAYS, FRIDAY_DEALS, NOW, sampleFiles } from './setup';

const project = compileInline(sampleFiles({ 'campaigns/friday-deals.yaml': FRIDAY_DEALS }), readdirSync('templates'));
const december = (forecast: Parameters<typeof buildCalendarView>[0]['forecast'] = []) =>
  buildCalendarView({
    calendar: project.calendar,
    campaigns: project.campaigns,
    forecast,
    range: { from: '2026-12-01', to: '2026-12-31' },
    now: NOW,
  });

describe('buildCalendarView (pure)', () => {
  it("puts the newsletter on the December Tuesdays at 10:00 Warsaw, labelled as each contact's time", () => {
    const view = december();
    expect(view.timezone).toBe('Europe/Warsaw');
    expect(view.today).toBe('2026-11-23');
    expect(view.days).toHaveLength(31);
    const newsletter = view.days.flatMap((d) =>
      d.occurrences.filter((o) => o.campaign === 'newsletter').map((o) => ({ date: d.date, ...o })),
    );
    expect(newsletter.map((o) => o.date)).toEqual(DECEMBER_TUESDAYS);
    expect(newsletter[0]).toMatchObject({
      at: '2026-12-01T09:00:00.000Z',
      local: '10:00',
      zone: 'contact',
      label: "10:00 each contact's time",
      occurrence: '2026-12-01T10:00',
    });
  });

  it('marks blackout days and seasons, and holds a broadcast that falls on a blackout', () => {
    const view = december();
    const day = (date: string) => view.days.find((d) => d.date === date)!;
    expect(day('2026-12-25').blackout).toBe('Christmas');
    expect(day('2026-12-24')).toMatchObject({ seasons: ['Christmas'] });
    expect(day('2026-12-24').blackout).toBeUndefined();
    expect(day('2026-12-26').seasons).toEqual([]);
    const held = day('2026-12-25').occurrences;
    expect(held).toEqual([
      // The sample birthday looks every morning: on Christmas it waits too.
      expect.objectContaining({ campaign: 'birthday', local: '09:00', zone: 'contact', held: 'Christmas' }),
      expect.objectContaining({
        campaign: 'friday-deals',
        at: '2026-12-25T15:00:00.000Z',
        local: '16:00',
        zone: 'America/New_York',
        label: '16:00 (10:00 America/New_York)',
        held: 'Christmas',
        occurrence: '2026-12-25T10:00',
      }),
    ]);
    expect(day('2026-12-18').occurrences.map((o) => o.held)).toEqual([undefined, undefined]);
    expect(view.seasons).toEqual([{ name: 'Christmas', from: '2026-12-01', to: '2026-12-24' }]);
  });

  it('attaches forecast rows to their day, totals them, and lists every active campaign with a stable colour', () => {
    const view = december([
      { date: '2026-12-01', campaign: 'newsletter', sends: 1200, deferred: 0 },
      { date: '2026-12-01', campaign: 'abandoned-cart', sends: 40, deferred: 3 },
      { date: '2027-01-05', campaign: 'newsletter', sends: 1200, deferred: 0 }, // outside the range
    ]);
    const dec1 = view.days[0]!;
    expect(dec1.forecast).toEqual([
      { campaign: 'newsletter', sends: 1200, deferred: 0 },
      { campaign: 'abandoned-cart', sends: 40, deferred: 3 },
    ]);
    expect(dec1.total).toBe(1240);
    expect(view.days.reduce((n, d) => n + d.total, 0)).toBe(1240);
    expect(view.campaigns.map((c) => [c.id, c.kind])).toEqual([
      ['abandoned-cart', 'journey'],
      ['birthday', 'broadcast'],
      ['browse-abandonment', 'journey'],
      ['consent-confirmation', 'journey'],
      ['friday-deals', 'broadcast'],
      ['newsletter', 'broadcast'],
      ['review-request', 'journey'],
      ['vip-welcome', 'journey'],
      ['welcome', 'journey'],
      ['win-back', 'journey'],
    ]);
    for (const c of view.campaigns) expect(c.color).toBe(campaignColor(c.id));
    expect(PALETTE).toContain(campaignColor('newsletter'));
    expect(new Set(view.campaigns.map((c) => c.color)).size).toBeGreaterThan(1);
  });

  it('names the parameter of a bad range', () => {
    expect(rangeProblem(undefined, '2026-12-31')).toMatchObject({ parameter: 'from', message: expect.stringContaining('required') });
    expect(rangeProblem('2026-12-01', '2026-02-30')).toMatchObject({ parameter: 'to', message: expect.stringContaining('YYYY-MM-DD') });
    expect(rangeProblem('2026-12-31', '2026-12-01')).toMatchObject({ parameter: 'to' });
    expect(rangeProblem('2026-01-01', '2027-01-02')).toMatchObject({
      parameter: 'to',
      message: `the range may span at most ${MAX_RANGE_DAYS} days`,
    });
    expect(rangeProblem('2026-01-01', '2027-01-01')).toBeNull(); // 366 days, both ends included
  });

  it('writes ICS with UIDs made of what the event is, not when the feed was made', () => {
    const a = viewToIcs(december(), NOW);
    const b = viewToIcs(december(), new Date('2026-11-30T00:00:00Z'));
    const uids = (ics: string) => [...ics.matchAll(/^UID:(.*)\r$/gm)].map((m) => m[1]);
    expect(uids(a)).toEqual(uids(b));
    expect(uids(a)).toContain('newsletter-2026-12-01T10:00@almanac');
    expect(uids(a)).toContain('friday-deals-2026-12-25T10:00@almanac');
    expect(uids(a)).toContain('blackout-2026-12-25@almanac');
    expect(uids(a)).toContain('season-christmas-2026-12-01@almanac');
  });
});
