import type { AnalyticsViews } from '../../reports/analytics';
import type { PeriodKind } from '../../storage/analytics-views';
import { type Command, UsageError } from '../command';
import { adminFor, parseFlags } from '../project';
import { parseNow } from './calendar';
import { table } from './report';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
const money = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(2));

/** The three views as a terminal reads them: the same numbers as `--json` and GET /v1/analytics/*. */
export function formatAnalytics(v: AnalyticsViews): string {
  const { lifecycle: l, retention: r, value: val } = v;
  const cur = l.currency.currency ?? '';
  const out: string[] = [`${l.currency.rule}\n\n`];
  out.push(
    table(
      ['lifecycle stage', 'contacts', `revenue ${cur}`, `value ${cur}`, 'churn risk'],
      l.stages.map((s) => [s.stage, s.contacts, money(s.revenue), money(s.value), s.churnRisk === null ? '–' : pct(s.churnRisk)]),
    ),
  );
  if (l.flows.length)
    out.push(
      '\n' +
        table(
          [`moves, last ${l.flowDays} days`, 'to', 'contacts'],
          l.flows.map((f) => [f.from, f.to, f.contacts]),
        ),
    );
  out.push(
    '\n' +
      table(
        ['rfm cell', 'customers', `revenue ${cur}`],
        l.rfm.filter((c) => c.contacts > 0).map((c) => [c.cell, c.contacts, money(c.revenue)]),
      ),
  );
  out.push(`\nabout to leave (churn risk > ${pct(l.atRisk.minRisk)}): ${l.atRisk.total}\n`);
  if (l.atRisk.top.length)
    out.push(
      table(
        ['customer', 'stage', 'churn risk', `revenue ${cur}`],
        l.atRisk.top.map((c) => [c.externalId ?? c.email ?? `#${c.contactId}`, c.stage, pct(c.churnRisk), money(c.revenue)]),
      ),
    );
  if (l.model && !l.model.purchases.ok) out.push(`predictions: ${l.model.purchases.reason}\n`);
  if (r.asOf) out.push(`retention and value as of ${r.asOf} (the last full pass: over ANALYTICS_LIVE_VIEWS_MAX customers)\n`);
  out.push(
    '\n' +
      table(
        [
          `${r.period} (${r.timezone})`,
          'N',
          'L',
          `V ${cur}`,
          `R=N·V·L ${cur}`,
          `new ${cur}`,
          `reactivated ${cur}`,
          `total ${cur}`,
          'ΔR N',
          'ΔR V',
          'ΔR L',
          'method',
        ],
        r.rnvl.map((p) => [
          p.period,
          p.N ?? '–',
          pct(p.L),
          money(p.V),
          money(p.R),
          money(p.reconciliation.new),
          money(p.reconciliation.reactivated),
          money(p.reconciliation.total),
          money(p.decomposition.rounded?.N),
          money(p.decomposition.rounded?.V),
          money(p.decomposition.rounded?.L),
          p.decomposition.method ?? '–',
        ]),
      ),
  );
  out.push(`${r.method}\n`);
  if (r.cohorts.length) {
    const width = Math.max(...r.cohorts.map((c) => c.cells.length));
    out.push(
      '\n' +
        table(
          ['cohort', 'customers', ...Array.from({ length: width }, (_, k) => `+${k}`)],
          r.cohorts.map((c) => [
            c.cohort,
            c.size,
            ...c.cells.map((cell) => pct(cell.share)),
            ...Array<string>(width - c.cells.length).fill(''),
          ]),
        ),
    );
  }
  const p = val.pareto;
  out.push(
    `\nvalue: ${p.customers} customers, revenue ${money(p.revenue)} ${cur}, costs ${money(p.cost)}, value ${money(p.value)}; ` +
      `top 20 % bring ${pct(p.top20Share)} of revenue; ${p.unprofitable.customers} unprofitable (${pct(p.unprofitable.share)})\n`,
  );
  if (p.segments.length)
    out.push(
      table(
        [`segment (${val.segmentBy})`, 'customers', `revenue ${cur}`, `cost ${cur}`, `value ${cur}`, 'per customer'],
        p.segments.map((s) => [
          s.segment ?? '(none)',
          s.customers,
          money(s.revenue),
          money(s.cost),
          money(s.value),
          money(s.valuePerCustomer),
        ]),
      ),
    );
  return out.join('');
}

export const analyticsCommand: Command = {
  summary: 'customer analytics: lifecycle stages, RFM, who is about to leave, R = N·V·L per period, cohorts, value',
  usage: `almanac analytics [--period month|quarter|year] [--now T] [--json]

How many customers there are and in which lifecycle stage (prospect, new, repeat, loyal,
churning, lost) with the moves of the last 30 days; the RFM cells; who is about to leave
(predicted churn risk over 60 %); revenue per period as R = N·V·L (customers carried in ×
revenue per retained customer × retention) plus new and reactivated customers, and which factor
moved R; the cohort retention table; customer value after costs and the Pareto curve. Periods in
the calendar's zone (--period, default month; --now: as of that instant). --json prints GET /v1/admin/analytics. Through the
running server (or ALMANAC_URL) like plan and apply.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['json'], values: ['period', 'now'] });
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const period = flags.period;
    if (period !== undefined && !['month', 'quarter', 'year'].includes(String(period)))
      throw new UsageError(`--period: expected month, quarter or year (got "${String(period)}")`);
    const views = await adminFor(io, 'analytics').analytics(
      period as PeriodKind | undefined,
      flags.now === undefined ? new Date() : parseNow(flags.now), // the CLI is an edge: it may read the clock
    );
    io.out(flags.json ? `${JSON.stringify(views, null, 2)}\n` : formatAnalytics(views));
    return 0;
  },
};
