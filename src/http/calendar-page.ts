import type { CalendarView, ViewCampaign, ViewDay } from '../forecast/view';
import { addDays, instantToLocal, parseLocal } from '../calendar/zone';
import { MONTH_CSS } from './calendar-page-css';

/**
 * The HTML month view, server-rendered from a `CalendarView` (pure: no I/O, `now` given).
 * Weeks are rows, Monday first; the days before and after the month fill the first and last
 * week, greyed. Every string that came from a campaign file goes through `esc`.
 */

/** The days a month's grid shows: Monday on or before the 1st to Sunday on or after the last. */
export function monthGrid(month: string): { from: string; to: string; prev: string; next: string } {
  const first = `${month}-01`;
  const next = addDays(first, 32).slice(0, 7);
  const last = addDays(`${next}-01`, -1);
  return {
    from: addDays(first, -mondayIndex(first)),
    to: addDays(last, 6 - mondayIndex(last)),
    prev: addDays(first, -1).slice(0, 7),
    next,
  };
}

const mondayIndex = (date: string) => (new Date(parseLocal(date)).getUTCDay() + 6) % 7;

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 1240 → `1 240` (narrow no-break spaces: a number never wraps). */
export const grouped = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');

const monthName = (month: string, style: 'long' | 'short' = 'long') =>
  new Date(parseLocal(`${month}-01`)).toLocaleString('en-GB', { month: style, year: 'numeric', timeZone: 'UTC' });
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface MonthPage {
  month: string;
  view: CalendarView;
  now: Date;
  /** the `?key=` the page was opened with, carried into its links */
  key?: string;
}

export function renderMonthPage({ month, view, now, key }: MonthPage): string {
  const grid = monthGrid(month);
  const link = (path: string, m?: string) => {
    const q = [m ? `month=${m}` : '', key ? `key=${encodeURIComponent(key)}` : ''].filter(Boolean).join('&');
    return esc(q ? `${path}?${q}` : path);
  };
  const campaigns = new Map(view.campaigns.map((c) => [c.id, c]));
  const inMonth = view.days.filter((d) => d.date.startsWith(month));
  const total = inMonth.reduce((n, d) => n + d.total, 0);
  const asOf = instantToLocal(now, view.timezone);
  const title = monthName(month);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Almanac calendar</title><style>${MONTH_CSS}</style></head>
<body><main>
<header class="top"><div><h1>${esc(title)}</h1>
<p class="sub">Times in <strong>${esc(view.timezone)}</strong> · ${total > 0 ? `<strong>≈ ${grouped(total)}</strong> sends forecast this month` : 'no sends forecast this month'}</p></div>
<nav aria-label="Months"><a rel="prev" href="${link('/calendar', grid.prev)}" aria-label="Previous month: ${esc(monthName(grid.prev))}">‹ ${esc(monthName(grid.prev, 'short'))}</a><a href="${link('/calendar')}">Today</a><a rel="next" href="${link('/calendar', grid.next)}" aria-label="Next month: ${esc(monthName(grid.next))}">${esc(monthName(grid.next, 'short'))} ›</a></nav></header>
${legend(view.campaigns)}
${view.campaigns.length === 0 ? '<p class="empty">No campaigns are applied yet: run <code>almanac apply</code> and reload.</p>' : ''}
<ol class="month">
${WEEKDAYS.map((w) => `<li class="wd" aria-hidden="true">${w}</li>`).join('')}
${view.days.map((d) => dayCell(d, month, view.today, campaigns)).join('\n')}
</ol>
<footer><p>Filled bars are scheduled broadcasts at their time in ${esc(view.timezone)}; outlined bars are sends with no broadcast that day (journeys, or broadcast sends moved there by quiet hours, a blackout or a frequency cap). ≈ is the forecast made ${esc(asOf.date)} ${esc(asOf.time)}: the sends expected each day after quiet hours, blackouts and frequency caps — broadcasts from today's audiences, journeys from runs in flight and recent entry rates.</p>
<p>Subscribe in a calendar app: <a href="${link('/calendar.ics')}">calendar.ics</a></p></footer>
</main></body></html>
`;
}

function legend(campaigns: ViewCampaign[]): string {
  const items = campaigns.map(
    (c) => `<li><span class="sw" style="--c:${esc(c.color)}"></span>${esc(c.name)} <small>(${c.kind})</small></li>`,
  );
  items.push('<li><span class="sw blackout"></span>Blackout: no marketing sends</li>', '<li><span class="sw season"></span>Season</li>');
  return `<ul class="legend" aria-label="Legend">${items.join('')}</ul>`;
}

function dayCell(day: ViewDay, month: string, today: string, campaigns: Map<string, ViewCampaign>): string {
  const date = new Date(parseLocal(day.date));
  const classes = [
    'day',
    day.date.startsWith(month) ? '' : 'out',
    day.date === today ? 'today' : '',
    day.blackout === undefined ? '' : 'blackout',
  ];
  const colorOf = (id: string) => campaigns.get(id)?.color ?? '#59636e';
  const nameOf = (id: string) => campaigns.get(id)?.name ?? id;
  const counted = new Set<string>();
  const bars = day.occurrences.map((o) => {
    const f = day.forecast.find((r) => r.campaign === o.campaign);
    const n = f && !counted.has(o.campaign) ? (counted.add(o.campaign), ` <span class="n">· ≈ ${grouped(f.sends)}</span>`) : '';
    const held = o.held === undefined ? '' : ` — held: ${o.held}, sent the next allowed day`;
    const how = o.label
      .slice(o.local.length)
      .trim()
      .replace(/^\((.*)\)$/, '$1'); // "each contact's time", "10:00 America/New_York"
    const note = [how, o.held === undefined ? '' : `held: ${o.held}`].filter(Boolean).join(' · ');
    return `<li class="bar${o.held === undefined ? '' : ' held'}" style="--c:${esc(colorOf(o.campaign))}" data-campaign="${esc(o.campaign)}" title="${esc(`${o.label} · ${o.name}${held}`)}"><time datetime="${esc(o.at)}">${esc(o.local)}</time>${esc(o.name)}${n}${note ? `<small class="how">${esc(note)}</small>` : ''}</li>`;
  });
  for (const f of day.forecast.filter((r) => !counted.has(r.campaign))) {
    const deferred = f.deferred > 0 ? `, ${grouped(f.deferred)} moved here by quiet hours or a blackout` : '';
    bars.push(
      `<li class="bar ghost" style="--c:${esc(colorOf(f.campaign))}" data-campaign="${esc(f.campaign)}" title="${esc(`${nameOf(f.campaign)}: ≈ ${f.sends} sends${deferred}`)}">${esc(nameOf(f.campaign))} <span class="n">· ≈ ${grouped(f.sends)}</span></li>`,
    );
  }
  const wd = WEEKDAYS[(date.getUTCDay() + 6) % 7]!;
  return `<li class="${classes.filter(Boolean).join(' ')}" data-date="${day.date}">
<div class="head"><span class="wdn">${wd}</span><span class="num">${date.getUTCDate()}</span><span class="mon">${date.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })}</span><span class="tag">Today</span>${day.seasons.map((s) => `<span class="season" title="Season: ${esc(s)}">${esc(s)}</span>`).join('')}</div>
${day.blackout === undefined ? '' : `<p class="reason">Blackout: ${esc(day.blackout)}</p>`}
${bars.length ? `<ul class="bars">${bars.join('')}</ul>` : ''}
${day.total > 0 ? `<p class="total">≈ ${grouped(day.total)} sends</p>` : ''}</li>`;
}
