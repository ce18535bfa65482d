import { type CampaignReport, liftArms } from '../reports/campaign';
import { escapeHtml as esc } from './consent-page';

/**
 * The HTML of `GET /reports/:campaign` and `GET /reports`: the same numbers as the JSON, laid out
 * for a marketer. Charts are inline SVG (no script, no library to load): each has a `<title>`
 * and `role="img"` with a text summary, and every chart's numbers are also in a table right
 * below it, so a screen reader or a printout loses nothing.
 */
const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#fafafa;color:#18181b}
main{max-width:64rem;margin:0 auto;padding:1.5rem}h1{margin:.2rem 0 1rem}h2{margin:2rem 0 .5rem;font-size:1.15rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.75rem}
.tile{background:#fff;border:1px solid #e4e4e7;border-radius:8px;padding:.75rem}.tile b{display:block;font-size:1.4rem}
.tile span{color:#52525b;font-size:.85rem}table{border-collapse:collapse;background:#fff;width:100%;margin:.5rem 0}
th,td{border:1px solid #e4e4e7;padding:.35rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}
caption{text-align:left;color:#52525b;padding:.25rem 0}.note{color:#52525b}svg{background:#fff;border:1px solid #e4e4e7;border-radius:8px}
a{color:#1d4ed8}`;

export const n2 = (x: number) => x.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);

export function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`
  );
}

/** A bar chart of one series per day (sends, clicks or revenue), as SVG with a text summary. */
function dailyChart(id: string, label: string, days: Array<{ day: string; value: number }>, colour: string): string {
  const w = 960;
  const h = 160;
  const max = Math.max(1, ...days.map((d) => d.value));
  const bw = days.length ? Math.min(40, Math.max(2, Math.floor((w - 40) / days.length) - 2)) : 0;
  const bars = days
    .map((d, i) => {
      const bh = Math.round((d.value / max) * (h - 40));
      return `<rect x="${30 + i * (bw + 2)}" y="${h - 20 - bh}" width="${bw}" height="${bh}" fill="${colour}"><title>${esc(d.day)}: ${esc(String(d.value))}</title></rect>`;
    })
    .join('');
  const total = days.reduce((s, d) => s + d.value, 0);
  const summary = `${label}: ${days.length} day(s), total ${Number.isInteger(total) ? total : n2(total)}, highest ${Number.isInteger(max) ? max : n2(max)}`;
  return (
    `<svg id="${id}" role="img" aria-labelledby="${id}-t" viewBox="0 0 ${w} ${h}" width="100%" height="${h}"><title id="${id}-t">${esc(summary)}</title>` +
    `<line x1="28" y1="${h - 20}" x2="${w - 8}" y2="${h - 20}" stroke="#a1a1aa"/>${bars}` +
    (days.length
      ? `<text x="30" y="${h - 5}" font-size="11" fill="#52525b">${esc(days[0]!.day)}</text><text x="${w - 8}" y="${h - 5}" font-size="11" fill="#52525b" text-anchor="end">${esc(days.at(-1)!.day)}</text>`
      : `<text x="${w / 2}" y="${h / 2}" font-size="13" fill="#52525b" text-anchor="middle">no data yet</text>`) +
    `</svg>`
  );
}

/** Revenue per model, side by side (one currency per chart row group). */
function modelChart(r: CampaignReport): string {
  const rows = r.revenue;
  const w = 960;
  const rowH = 26;
  const h = Math.max(1, rows.length) * rowH + 10;
  const max = Math.max(1, ...rows.map((m) => m.revenue));
  const bars = rows
    .map((m, i) => {
      const bw = Math.round((m.revenue / max) * (w - 260));
      return (
        `<text x="8" y="${i * rowH + 20}" font-size="13">${esc(m.model)} (${esc(m.currency)})</text>` +
        `<rect x="180" y="${i * rowH + 6}" width="${bw}" height="18" fill="#2563eb"/>` +
        `<text x="${186 + bw}" y="${i * rowH + 20}" font-size="12" fill="#18181b">${esc(n2(m.revenue))}</text>`
      );
    })
    .join('');
  const summary = rows.length
    ? `revenue by attribution model: ${rows.map((m) => `${m.model} ${n2(m.revenue)} ${m.currency}`).join(', ')}`
    : 'no attributed revenue yet';
  return `<svg id="models" role="img" aria-labelledby="models-t" viewBox="0 0 ${w} ${h}" width="100%" height="${h}"><title id="models-t">${esc(summary)}</title>${bars}</svg>`;
}

/** Last-click revenue for the headline: the shop-currency total when there is one, else per currency, largest first. */
function headlineRevenue(r: CampaignReport): Array<{ currency: string; revenue: number; revenuePerRecipient: number | null }> {
  const total = r.totals.find((t) => t.model === 'last_click');
  if (total) return [total];
  return r.revenue.filter((m) => m.model === 'last_click').sort((a, b) => b.revenue - a.revenue);
}

export function table(caption: string, head: string[], rows: Array<Array<string | number>>): string {
  return (
    `<table><caption>${esc(caption)}</caption><thead><tr>${head.map((x) => `<th scope="col">${esc(x)}</th>`).join('')}</tr></thead><tbody>` +
    rows
      .map(
        (r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(String(c))}</th>` : `<td>${esc(String(c))}</td>`)).join('')}</tr>`,
      )
      .join('') +
    `</tbody></table>`
  );
}

export function campaignReportPage(r: CampaignReport, backLink: string): string {
  const sent = r.sends.sent ?? 0;
  const tiles = [
    ['sent', String(sent)],
    ['recipients', String(r.recipients)],
    ['human opens', String(r.opens.human)],
    ['human clicks', String(r.clicks.human)],
    ['click rate', sent ? pct(r.clicks.uniqueHuman / sent) : '–'],
    ['unsubscribes', String(r.unsubscribes)],
    ['complaints', String(r.complaints)],
    ...headlineRevenue(r).flatMap((m) => [
      [`revenue, last click (${m.currency})`, n2(m.revenue)],
      [`per recipient (${m.currency})`, m.revenuePerRecipient === null ? '–' : n2(m.revenuePerRecipient)],
    ]),
  ];
  const l = r.lift;
  const lift = !l
    ? '<p class="note">This campaign holds nobody out (<code>holdout: 0 %</code>), so there is no lift to measure.</p>'
    : table(
        `Holdout: contacts who entered vs those held out; converted = ordered within ${l.windowDays} day(s) of entering`,
        ['arm', 'contacts', 'converters', 'rate', '95 % interval', `revenue per contact${l.currency ? ` (${l.currency})` : ''}`],
        liftArms(l).map((a) => [
          a.label,
          a.contacts,
          a.converters,
          pct(a.rate),
          a.rateCi ? `${pct(a.rateCi.lower)} – ${pct(a.rateCi.upper)}` : '–',
          a.revenuePerContact === null ? '–' : n2(a.revenuePerContact),
        ]),
      ) +
      (l.absolute
        ? `<p>Lift: <b>${pct(l.absolute.estimate)}</b> points (95 %: ${pct(l.absolute.ci.lower)} to ${pct(l.absolute.ci.upper)}; ${esc(l.methods.absolute)}).</p>`
        : '') +
      (l.enough ? '' : `<p class="note" role="status">Not enough data yet: ${esc(l.reason ?? '')}</p>`);
  const days = r.daily;
  return page(
    `Report: ${r.name}`,
    `<p><a href="${esc(backLink)}">← all campaigns</a></p><h1>${esc(r.name)} <small class="note">(${esc(r.campaign)})</small></h1>` +
      `<div class="tiles">${tiles.map(([k, v]) => `<div class="tile"><b>${esc(v!)}</b><span>${esc(k!)}</span></div>`).join('')}</div>` +
      `<h2>Revenue by attribution model</h2>${modelChart(r)}` +
      table(
        'Models side by side, never summed (a model is a point of view); per currency',
        ['model', 'currency', 'orders credited', 'revenue', 'per recipient'],
        r.revenue.map((m) => [
          m.model,
          m.currency,
          m.orders.toFixed(2),
          n2(m.revenue),
          m.revenuePerRecipient === null ? '–' : n2(m.revenuePerRecipient),
        ]),
      ) +
      (r.totals.length
        ? table(
            `Totals in ${r.currency.shop}: every currency with a rate, converted`,
            ['model', 'orders credited', 'revenue', 'per recipient', 'not converted (no rate)'],
            r.totals.map((t) => [
              t.model,
              t.orders.toFixed(2),
              `${n2(t.revenue)} ${t.currency}`,
              t.revenuePerRecipient === null ? '–' : n2(t.revenuePerRecipient),
              t.unconverted.map((u) => `${n2(u.revenue)} ${u.currency}`).join(', ') || '–',
            ]),
          )
        : '') +
      `<p class="note">${esc(r.currency.rule)}</p>` +
      (r.networks.length
        ? `<h2>Which network's links sell</h2>` +
          table(
            'Campaign links per network: clicks, and orders credited by their UTMs',
            ['network', 'clicks', 'bot clicks', 'orders', 'revenue', 'currency'],
            r.networks.map((n) => [n.network, n.clicks, n.botClicks, n.orders.toFixed(2), n2(n.revenue), n.currency ?? '']),
          )
        : '') +
      `<h2>Did it beat its holdout?</h2>${lift}` +
      `<h2>Sends per day</h2>${dailyChart(
        'daily-sends',
        'sends per day',
        days.map((d) => ({ day: d.day, value: d.sends })),
        '#0f766e',
      )}` +
      `<h2>Human clicks per day</h2>${dailyChart(
        'daily-clicks',
        'human clicks per day',
        days.map((d) => ({ day: d.day, value: d.clicks })),
        '#7c3aed',
      )}` +
      `<h2>Revenue per day (last click${r.currency.primary ? `, ${esc(r.currency.primary)}` : ''})</h2>${dailyChart(
        'daily-revenue',
        `last-click revenue per day${r.currency.primary ? ` in ${r.currency.primary}` : ''}`,
        days.map((d) => ({ day: d.day, value: d.revenue })),
        '#2563eb',
      )}` +
      table(
        'Daily figures (UTC days)',
        ['day', 'sends', 'human clicks', `revenue (last click${r.currency.primary ? `, ${r.currency.primary}` : ''})`],
        days.map((d) => [d.day, d.sends, d.clicks, n2(d.revenue)]),
      ) +
      `<h2>Where contacts are in the journey</h2>` +
      table(
        'Runs per step and phase',
        ['step', 'status', 'phase', 'runs'],
        r.funnel.runs.map((f) => [f.step, f.status, f.phase ?? '', f.runs]),
      ) +
      table(
        'Sends per template and status, and why they were held (deferred, or sent after a hold) or not sent',
        ['template', 'step', 'status', 'sends', 'reason'],
        r.funnel.sends.map((s) => [s.template, s.step, s.status, s.sends, s.reason ?? '']),
      ) +
      (r.funnel.exits.length
        ? table(
            'Why runs ended early',
            ['reason', 'runs'],
            r.funnel.exits.map((e) => [e.reason, e.runs]),
          )
        : ''),
  );
}

export type ReportSort = 'revenue' | 'rpr' | 'lift' | 'name';

/** The list of campaigns with their headline numbers, sortable (`?sort=revenue|rpr|lift|name`). */
export function reportListPage(reports: CampaignReport[], sort: ReportSort, link: (path: string) => string): string {
  const headline = (r: CampaignReport) => {
    const last = headlineRevenue(r)[0];
    return {
      revenue: last?.revenue ?? 0,
      currency: last?.currency ?? '',
      rpr: last?.revenuePerRecipient ?? 0,
      lift: r.lift?.absolute?.estimate ?? null,
    };
  };
  const key = (r: CampaignReport) => headline(r)[sort === 'name' ? 'revenue' : sort] ?? -Infinity;
  const sorted = [...reports].sort((a, b) =>
    sort === 'name' ? a.campaign.localeCompare(b.campaign) : Number(key(b)) - Number(key(a)) || a.campaign.localeCompare(b.campaign),
  );
  const th = (label: string, s: ReportSort) =>
    `<th scope="col"${sort === s ? ' aria-sort="descending"' : ''}><a href="${esc(link(`/reports?sort=${s}`))}">${esc(label)}</a></th>`;
  return page(
    'Campaign reports',
    `<h1>Campaign reports</h1><table><caption>Last-click revenue (in the shop's currency when set, else the largest currency), revenue per recipient and holdout lift; choose a column to sort</caption>` +
      `<thead><tr>${th('campaign', 'name')}<th scope="col">sent</th>${th('revenue', 'revenue')}${th('per recipient', 'rpr')}${th('lift', 'lift')}</tr></thead><tbody>` +
      sorted
        .map((r) => {
          const h = headline(r);
          return `<tr><th scope="row"><a href="${esc(link(`/reports/${encodeURIComponent(r.campaign)}`))}">${esc(r.name)}</a></th><td>${r.sends.sent ?? 0}</td><td>${esc(n2(h.revenue))} ${esc(h.currency)}</td><td>${esc(n2(h.rpr))}</td><td>${r.lift ? (r.lift.enough ? esc(pct(h.lift)) : 'not enough data') : '–'}</td></tr>`;
        })
        .join('') +
      `</tbody></table>`,
  );
}
