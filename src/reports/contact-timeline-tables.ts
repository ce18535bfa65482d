import type { ContactTimeline } from './contact-timeline';

/** A missing value as the page and the CLI print it. */
export const dash = (x: string | number | null | undefined): string => (x === null || x === undefined || x === '' ? '–' : String(x));

/** The runs, sends and orders of a timeline as tables (head, rows): the same columns on the page and in `almanac contact show`. */
export function timelineTables(
  t: ContactTimeline,
): Record<'identifiers' | 'merges' | 'runs' | 'sends' | 'orders', { head: string[]; rows: string[][] }> {
  return {
    identifiers: {
      head: ['identifier', 'kind', 'told by', 'since'],
      rows: t.identifiers.map((i) => [i.identifier, i.kind, i.source, i.since]),
    },
    merges: {
      head: ['merge', 'when', 'merged contact', 'linked by', 'by', 'moved', 'runs ended'],
      rows: t.merges.map((x) => [
        String(x.merge_id),
        x.merged_at,
        `${x.merged_id ?? x.merged_email ?? '–'} (#${x.merged_contact_id})${x.reverted_at ? `, reverted ${x.reverted_at}` : ''}`,
        x.via.join(', '),
        x.source,
        Object.entries(x.moved)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
          .join(', ') || '–',
        x.collapsed_runs.length ? x.collapsed_runs.map((r) => `#${r}`).join(', ') : '–',
      ]),
    },
    orders: {
      head: ['when', 'order', 'total', 'refunded', 'currency', 'credited'],
      rows: t.orders.map((o) => [
        o.occurred_at,
        o.order_id,
        o.total.toFixed(2),
        o.refunded.toFixed(2),
        o.currency,
        o.credited.map((a) => `${a.model}: ${a.campaign}`).join('; ') || '–',
      ]),
    },
    runs: {
      head: ['run', 'campaign', 'status', 'current step', 'started', 'ended', 'exit reason', 'started by'],
      rows: t.runs.map((r) => [
        `#${r.id}`,
        `${r.campaign}${r.version === null ? '' : ` v${r.version}`}`,
        r.status,
        dash(r.current_step),
        r.started_at,
        dash(r.ended_at),
        dash(r.exit_reason),
        dash(r.trigger.type),
      ]),
    },
    sends: {
      head: ['send', 'campaign (run)', 'step', 'template', 'status', 'reason', 'created', 'sent'],
      rows: t.runs.flatMap((r) =>
        r.sends.map((s) => [
          `#${s.id}`,
          `${r.campaign} (#${r.id})`,
          s.step,
          s.template,
          s.status,
          dash(s.reason),
          s.created_at,
          dash(s.sent_at),
        ]),
      ),
    },
  };
}
