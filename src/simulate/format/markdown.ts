import type { SimulationReport } from '../report';
import { SUMMARY_COLUMNS } from './text';

/**
 * Text as inert Markdown (GitHub-flavoured): HTML's `& < >` become entities, Markdown's
 * punctuation and the table's `|` are backslash-escaped, line breaks become spaces, so a
 * contact named `<img src=x onerror=…>` or `*bold* | cell` prints as it is written.
 */
export function md(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

const table = (head: string[], rows: string[][], align: string[] = head.map(() => '---')) =>
  [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');

/**
 * `almanac simulate --format markdown`, for a pull-request comment: the per-campaign summary
 * first (with how its runs ended), then a section per campaign with its timeline table and
 * who did not enter it and why.
 */
export function formatMarkdown(report: SimulationReport): string {
  const out = [`## almanac simulate: ${md(report.from)} → ${md(report.to)}`, ''];
  out.push(
    table(
      ['campaign', ...SUMMARY_COLUMNS.map(([, h]) => h), 'how runs ended'],
      report.summary.map((s) => [
        md(s.campaign),
        ...SUMMARY_COLUMNS.map(([k]) => String(s[k])),
        s.ended.map((e) => `${e.runs} ${md(e.words)}`).join('; ') || '-',
      ]),
      ['---', ...SUMMARY_COLUMNS.map(() => '--:'), '---'],
    ),
  );
  for (const s of report.summary) {
    const entries = report.timeline.filter((e) => e.campaign === s.campaign);
    const absent = report.not_entered.filter((n) => n.campaign === s.campaign);
    out.push('', `### ${md(s.campaign)}`, '');
    if (entries.length) {
      out.push(
        table(
          ['time (the contact’s)', 'contact', 'step', 'outcome', 'detail'],
          entries.map((e) => [md(e.local), md(e.contact), md(e.label), md(e.outcome), md(e.detail)]),
        ),
      );
    } else out.push('Nothing happened in this campaign.');
    if (absent.length) {
      out.push('', '**Did not enter:**', '', ...absent.map((n) => `- ${md(n.contact)}: ${md(n.detail)}`));
    }
  }
  return `${out.join('\n')}\n`;
}
