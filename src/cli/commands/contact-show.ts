import type { ContactTimeline } from '../../reports/contact-timeline';
import { dash, timelineTables } from '../../reports/contact-timeline-tables';
import { table } from './report';

/** `almanac contact show ID`: the timeline as a terminal reads it (the same data as `--json` and GET /v1/contacts/:id/timeline). */
export function formatTimeline(t: ContactTimeline): string {
  const c = t.contact;
  const out: string[] = [
    `contact ${c.email ?? c.id ?? `#${c.contact_id}`} (external id ${dash(c.id)}, #${c.contact_id})\n`,
    `timezone ${c.timezone ? `${c.timezone}${c.timezone_source === 'address' ? ' (guessed from the address)' : ''}` : "— (the calendar's)"}, ` +
      `locale ${dash(c.locale)}${c.locale_source === 'address' ? ' (guessed)' : c.locale_source === 'accept_language' ? " (the browser's)" : ''}, stage ${dash(t.lifecycle_stage)}` +
      (c.phone ? `, phone ${c.phone}` : '') +
      `; created ${c.created_at}, updated ${c.updated_at}\n`,
  ];
  if (Object.keys(c.attributes).length) out.push(`attributes ${JSON.stringify(c.attributes)}\n`);
  if (t.analytics)
    out.push(`analytics: ${t.analytics.orders} order(s), revenue ${t.analytics.revenue.toFixed(2)}, rfm ${dash(t.analytics.rfm)}\n`);
  const kindWidth = Math.max(4, ...t.entries.map((e) => e.kind.length));
  out.push(`\nwhat happened, in order (UTC)\n`);
  for (const e of t.entries) {
    out.push(`${e.at}  ${e.kind.padEnd(kindWidth)}  ${e.summary}\n`);
    if (e.why) out.push(`${' '.repeat(e.at.length + kindWidth + 4)}why: ${e.why}\n`);
  }
  const section = (title: string, head: string[], rows: Array<Array<string | number>>) => {
    if (rows.length) out.push(`\n${title}\n${table(head, rows)}`);
  };
  const tables = timelineTables(t);
  section('identifiers', tables.identifiers.head, tables.identifiers.rows);
  section('merges', tables.merges.head, tables.merges.rows);
  section('runs', tables.runs.head, tables.runs.rows);
  section('sends', tables.sends.head, tables.sends.rows);
  section(
    'consent',
    ['when', 'purpose', 'state', 'version', 'source'],
    t.consent.map((r) => [r.occurred_at, r.purpose, r.state, dash(r.text_version), r.source]),
  );
  if (t.suppressions === null) out.push('\nsuppressions not checked (no email, or SUPPRESSION_KEY not configured)\n');
  else
    section(
      'suppressions',
      ['since', 'reason', 'scope', 'source'],
      t.suppressions.map((s) => [s.created_at, s.reason, s.scope, s.source]),
    );
  section(
    'clicks',
    ['when', 'url', 'campaign', 'bot'],
    t.clicks.map((k) => [k.at, dash(k.url), dash(k.campaign), k.bot ? `yes${k.bot_reason ? ` (${k.bot_reason})` : ''}` : 'no']),
  );
  section(
    'opens',
    ['when', 'campaign', 'by'],
    t.opens.map((x) => [x.at, dash(x.campaign), x.machine ? 'machine' : 'human']),
  );
  section('orders', tables.orders.head, tables.orders.rows);
  if (t.truncated.length) out.push(`\nonly the newest rows of: ${t.truncated.join(', ')}\n`);
  return out.join('');
}
