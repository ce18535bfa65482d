import { cmp } from '../local-time';
import type { SimulationReport } from '../report';
import type { TimelineEntry } from '../timeline';
import { SUMMARY_COLUMNS } from './text';

/** Every character that could open markup or end an attribute, as a numeric entity. */
export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}h3{font-size:1rem;margin:1.5rem 0 .4rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
ol.timeline{list-style:none;padding-left:0;border-left:3px solid #ccd;margin-left:.4rem}
ol.timeline li{padding:.2rem .8rem;position:relative}
ol.timeline li::before{content:"";position:absolute;left:-.45rem;top:.6rem;width:.6rem;height:.6rem;border-radius:50%;background:#889}
li.sent::before{background:#2a8a3e!important}li.deferred::before,li.held::before{background:#c98a00!important}
li.suppressed::before,li.failed::before,li.cancelled::before,li.skipped::before{background:#b3261e!important}
time{font-variant-numeric:tabular-nums;color:#555}.outcome{font-weight:600}.campaign,.step{color:#444}
ul.absent{color:#555}
`;

const entryItem = (e: TimelineEntry) =>
  `<li class="${esc(e.outcome)}${e.held ? ' held' : ''}"><time datetime="${esc(e.time)}" title="${esc(e.time)}">${esc(e.local)}</time> ` +
  `<span class="campaign">${esc(e.campaign)}</span>${e.label === '-' ? '' : ` <span class="step">${esc(e.label)}</span>`} ` +
  `<span class="outcome">${esc(e.outcome)}</span>${e.detail ? ` <span class="detail">${esc(e.detail)}</span>` : ''}</li>`;

/**
 * `almanac simulate --format html`: one self-contained page (inline CSS, no script, no external
 * asset; a Content-Security-Policy that allows nothing else) with the per-campaign summary, how
 * runs ended, and a timeline per contact with the campaigns that contact did not enter and why.
 * Every piece of text from the input is escaped.
 */
export function formatHtml(report: SimulationReport): string {
  const title = `almanac simulate: ${report.from} → ${report.to}`;
  const summaryRows = report.summary
    .map(
      (s) =>
        `<tr><th scope="row">${esc(s.campaign)}</th>${SUMMARY_COLUMNS.map(([k]) => `<td class="n">${s[k]}</td>`).join('')}` +
        `<td>${s.ended.map((e) => `${e.runs} ${esc(e.words)}`).join('<br>') || '-'}</td></tr>`,
    )
    .join('\n');
  const contacts = [...new Set([...report.timeline.map((e) => e.contact), ...report.not_entered.map((n) => n.contact)])].sort(cmp);
  const sections = contacts.map((contact, i) => {
    const entries = report.timeline.filter((e) => e.contact === contact);
    const absent = report.not_entered.filter((n) => n.contact === contact);
    return [
      `<section class="contact" id="contact-${i + 1}">`,
      `<h3>${esc(contact)}</h3>`,
      entries.length ? `<ol class="timeline">\n${entries.map(entryItem).join('\n')}\n</ol>` : '<p>No entries, sends or exits.</p>',
      absent.length
        ? `<p>Did not enter:</p>\n<ul class="absent">\n${absent.map((n) => `<li><span class="campaign">${esc(n.campaign)}</span>: ${esc(n.detail)}</li>`).join('\n')}\n</ul>`
        : '',
      '</section>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p>Times are each contact’s local time; hover a time for UTC.</p>
<h2>Per campaign</h2>
<table id="summary">
<thead><tr><th>campaign</th>${SUMMARY_COLUMNS.map(([, h]) => `<th>${esc(h)}</th>`).join('')}<th>how runs ended</th></tr></thead>
<tbody>
${summaryRows}
</tbody>
</table>
<h2>Timeline per contact</h2>
${sections.join('\n') || '<p>Nothing happened.</p>'}
</body>
</html>
`;
}
