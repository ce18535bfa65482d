import type { SimulationReport } from '../report';
import type { TimelineEntry } from '../timeline';

/** Columns padded to their widest cell, two spaces apart; trailing space trimmed. */
export function columns(rows: string[][], align: Array<'left' | 'right'> = []): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]!) : i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Fixed-width text: `time  contact  campaign  step  outcome detail` (times on the contact's clock, the step by its label). */
export function formatTimeline(entries: readonly TimelineEntry[]): string {
  const head = ['time (the contact’s)', 'contact', 'campaign', 'step', 'outcome'];
  const rows = entries.map((e) => [e.local, e.contact, e.campaign, e.label, `${e.outcome}${e.detail ? ` ${e.detail}` : ''}`]);
  return `${columns([head, ...rows]).join('\n')}\n`;
}

/** The summary columns every format prints, in this order. */
export const SUMMARY_COLUMNS = [
  ['entered', 'entered'],
  ['held_out', 'held out'],
  ['not_entered', 'did not enter'],
  ['sent', 'sent'],
  ['held', 'held'],
  ['cancelled', 'cancelled'],
  ['suppressed', 'suppressed'],
  ['failed', 'failed'],
] as const;

/**
 * `almanac simulate`'s text: the timeline, then who did not enter each campaign and why, the
 * per-campaign numbers, and how the runs ended.
 */
export function formatText(report: SimulationReport): string {
  const parts = [report.timeline.length ? formatTimeline(report.timeline) : `nothing happened between ${report.from} and ${report.to}\n`];
  if (report.not_entered.length) {
    parts.push(`Did not enter:\n${notEnteredLines(report.not_entered).join('')}`);
  }
  const head = ['per campaign', ...SUMMARY_COLUMNS.map(([, h]) => h)];
  const rows = report.summary.map((s) => [s.campaign, ...SUMMARY_COLUMNS.map(([k]) => String(s[k]))]);
  parts.push(`${columns([head, ...rows], ['left', ...SUMMARY_COLUMNS.map(() => 'right' as const)]).join('\n')}\n`);
  const ends = report.summary.flatMap((s) => s.ended.map((e) => [s.campaign, String(e.runs), e.words]));
  if (ends.length)
    parts.push(
      `How runs ended:\n${columns(ends, ['left', 'right'])
        .map((l) => `  ${l}\n`)
        .join('')}`,
    );
  return parts.join('\n');
}

/**
 * One line per campaign and reason, naming everyone it applies to (`ada, ben and cleo did not
 * enter welcome: no contact.created event`), in the report's order; past six names, a count.
 */
function notEnteredLines(rows: SimulationReport['not_entered']): string[] {
  const groups = new Map<string, { campaign: string; detail: string; contacts: string[] }>();
  for (const n of rows) {
    const key = `${n.campaign}\u0000${n.detail}`;
    const g = groups.get(key) ?? { campaign: n.campaign, detail: n.detail, contacts: [] };
    g.contacts.push(n.contact);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => `  ${names(g.contacts)} did not enter ${g.campaign}: ${g.detail}\n`);
}

function names(contacts: string[]): string {
  if (contacts.length === 1) return contacts[0]!;
  if (contacts.length > 6) return `${contacts.slice(0, 5).join(', ')} and ${contacts.length - 5} others`;
  return `${contacts.slice(0, -1).join(', ')} and ${contacts[contacts.length - 1]}`;
}
