import type { LifecycleView, RetentionView, ValueView } from '../reports/analytics';
import { escapeHtml as esc } from './consent-page';
import { n2, page, pct, table } from './report-page';

/**
 * `GET /analytics`: one page a marketer reads top to bottom — how many customers there are and
 * where they are in their lifecycle (the stage funnel and the flows between stages), who is about
 * to leave, what customers are worth (Pareto curve, the unprofitable), how many were kept (the
 * cohort retention heat map) and which lever moved revenue (R = N·V·L per period, its change by
 * factor). Charts are inline SVG with a `<title>` and `role="img"`, each followed by a table of
 * the same numbers (as on the report pages).
 */
export function analyticsPage(
  v: { lifecycle: LifecycleView; retention: RetentionView; value: ValueView },
  link: (path: string) => string,
): string {
  const { lifecycle: l, retention: r, value: val } = v;
  const cur = l.currency.currency ?? '';
  const tiles = [
    ['customers', String(l.customers)],
    ['prospects', String(l.stages.find((s) => s.stage === 'prospect')?.contacts ?? 0)],
    ['about to leave', String(l.atRisk.total)],
    [`revenue (${cur})`, n2(val.pareto.revenue)],
    [`value after costs (${cur})`, n2(val.pareto.value)],
    ['top 20 % bring', pct(val.pareto.top20Share)],
    ['unprofitable', `${val.pareto.unprofitable.customers} (${pct(val.pareto.unprofitable.share)})`],
    ['kept, latest period (so far)', pct(r.rnvl.at(-1)?.L ?? null)],
  ];
  const periodLinks = (['month', 'quarter', 'year'] as const)
    .map((p) => (p === r.period ? `<b>${p}</b>` : `<a href="${esc(link(`/analytics?period=${p}`))}">${p}</a>`))
    .join(' · ');
  return page(
    'Customer analytics',
    `<h1>Customer analytics</h1><p class="note">${esc(l.currency.rule)} Periods in ${esc(r.timezone)}: ${periodLinks}</p>` +
      (r.asOf
        ? `<p class="note">Retention and value as of ${esc(r.asOf)}, the last full pass (over ANALYTICS_LIVE_VIEWS_MAX customers).</p>`
        : '') +
      `<div class="tiles">${tiles.map(([k, x]) => `<div class="tile"><b>${esc(x!)}</b><span>${esc(k!)}</span></div>`).join('')}</div>` +
      `<h2>Lifecycle stages</h2>${stageChart(l)}` +
      table(
        'Contacts per stage: revenue so far, value after costs, mean churn risk',
        ['stage', 'contacts', `revenue (${cur})`, `value (${cur})`, 'churn risk'],
        l.stages.map((s) => [s.stage, s.contacts, n2(s.revenue), n2(s.value), s.churnRisk === null ? '–' : pct(s.churnRisk)]),
      ) +
      (l.flows.length
        ? table(
            `Moves between stages in the last ${l.flowDays} days`,
            ['from', 'to', 'contacts'],
            l.flows.map((f) => [f.from, f.to, f.contacts]),
          )
        : `<p class="note">No stage changes in the last ${l.flowDays} days.</p>`) +
      `<h2>Who is about to leave</h2>` +
      (l.atRisk.top.length
        ? table(
            `${l.atRisk.total} customer(s) with churn risk over ${pct(l.atRisk.minRisk)}, most revenue first (target them with attribute: predicted.churn_risk, gt: ${l.atRisk.minRisk})`,
            ['customer', 'stage', 'churn risk', `revenue (${cur})`, `value (${cur})`],
            l.atRisk.top.map((c) => [
              c.externalId ?? c.email ?? `#${c.contactId}`,
              c.stage,
              pct(c.churnRisk),
              n2(c.revenue),
              c.value === null ? '–' : n2(c.value),
            ]),
          )
        : `<p class="note">Nobody over ${pct(l.atRisk.minRisk)} churn risk${l.model && !l.model.purchases.ok ? ` (predictions: ${esc(l.model.purchases.reason)})` : ''}.</p>`) +
      `<p class="note">${esc(modelNote(l))}</p>` +
      table(
        'RFM cells (recency × frequency scores, 1–5 over all customers)',
        ['cell', 'customers', `revenue (${cur})`],
        l.rfm.map((c) => [c.cell, c.contacts, n2(c.revenue)]),
      ) +
      `<h2>Which lever moved revenue: R = N · V · L per ${esc(r.period)}</h2>${rnvlChart(r, cur)}` +
      table(
        'N customers carried in × V revenue per retained customer × L retention = R; plus new and reactivated customers = total revenue',
        [
          'period',
          'N',
          'L',
          `V (${cur})`,
          `R (${cur})`,
          `new (${cur})`,
          `reactivated (${cur})`,
          `total (${cur})`,
          'ΔR: N',
          'ΔR: V',
          'ΔR: L',
          'method',
        ],
        r.rnvl.map((p) => [
          p.period,
          p.N ?? '–',
          p.L === null ? '–' : pct(p.L),
          p.V === null ? '–' : n2(p.V),
          p.R === null ? '–' : n2(p.R),
          n2(p.reconciliation.new),
          n2(p.reconciliation.reactivated),
          n2(p.reconciliation.total),
          p.decomposition.rounded ? n2(p.decomposition.rounded.N) : '–',
          p.decomposition.rounded ? n2(p.decomposition.rounded.V) : '–',
          p.decomposition.rounded ? n2(p.decomposition.rounded.L) : '–',
          p.decomposition.method ?? '–',
        ]),
      ) +
      `<p class="note">${esc(r.method)}</p>` +
      `<h2>How many were kept: cohort retention</h2>${cohortHeatMap(r)}` +
      `<h2>What customers are worth</h2>${paretoChart(val)}` +
      table(
        `Value = revenue − acquisition and service costs, per segment (${val.segmentBy})`,
        ['segment', 'customers', `revenue (${cur})`, `cost (${cur})`, `value (${cur})`, 'value per customer'],
        val.pareto.segments.map((s) => [
          s.segment ?? '(none)',
          s.customers,
          n2(s.revenue),
          n2(s.cost),
          n2(s.value),
          s.valuePerCustomer === null ? '–' : n2(s.valuePerCustomer),
        ]),
      ),
  );
}

function modelNote(l: LifecycleView): string {
  const m = l.model;
  if (!m) return 'Predictions appear after the first full analytics pass.';
  if (!m.purchases.ok) return `Predictions: ${m.purchases.reason}.`;
  const p = m.purchases.params;
  return (
    `Predictions: BG/NBD fitted on ${m.customers} customers at ${m.fittedAt} (r ${p.r.toFixed(3)}, α ${p.alpha.toFixed(2)}, a ${p.a.toFixed(3)}, b ${p.b.toFixed(3)}); ` +
    (m.spend.ok ? 'spend by Gamma-Gamma.' : `spend: ${m.spend.reason}, each customer's own mean.`)
  );
}

function stageChart(l: LifecycleView): string {
  const w = 960;
  const rowH = 26;
  const h = l.stages.length * rowH + 10;
  const max = Math.max(1, ...l.stages.map((s) => s.contacts));
  const bars = l.stages
    .map((s, i) => {
      const bw = Math.round((s.contacts / max) * (w - 260));
      return (
        `<text x="8" y="${i * rowH + 20}" font-size="13">${esc(s.stage)}</text>` +
        `<rect x="120" y="${i * rowH + 6}" width="${bw}" height="18" fill="#0f766e"/>` +
        `<text x="${126 + bw}" y="${i * rowH + 20}" font-size="12">${s.contacts}</text>`
      );
    })
    .join('');
  const summary = `contacts per lifecycle stage: ${l.stages.map((s) => `${s.stage} ${s.contacts}`).join(', ')}`;
  return `<svg id="stages" role="img" aria-labelledby="stages-t" viewBox="0 0 ${w} ${h}" width="100%" height="${h}"><title id="stages-t">${esc(summary)}</title>${bars}</svg>`;
}

/** Stacked bars per period: retained revenue (R), new and reactivated customers' revenue = the period's total. */
function rnvlChart(r: RetentionView, cur: string): string {
  const w = 960;
  const h = 200;
  const max = Math.max(1, ...r.rnvl.map((p) => p.reconciliation.total));
  const bw = r.rnvl.length ? Math.min(60, Math.floor((w - 40) / r.rnvl.length) - 6) : 0;
  const parts: Array<[keyof RetentionView['rnvl'][number]['reconciliation'], string]> = [
    ['retained', '#2563eb'],
    ['new', '#16a34a'],
    ['reactivated', '#f59e0b'],
  ];
  const bars = r.rnvl
    .map((p, i) => {
      let y = h - 24;
      const x = 30 + i * (bw + 6);
      const rects = parts
        .map(([k, colour]) => {
          const v = Number(p.reconciliation[k]);
          const bh = Math.round((v / max) * (h - 50));
          y -= bh;
          return `<rect x="${x}" y="${y}" width="${bw}" height="${bh}" fill="${colour}"><title>${esc(`${p.period} ${k}: ${n2(v)} ${cur}`)}</title></rect>`;
        })
        .join('');
      return rects + `<text x="${x + bw / 2}" y="${h - 8}" font-size="10" text-anchor="middle" fill="#52525b">${esc(p.period)}</text>`;
    })
    .join('');
  const summary = `revenue per ${r.period}: ${r.rnvl.map((p) => `${p.period} ${n2(p.reconciliation.total)} (retained ${n2(p.reconciliation.retained)})`).join(', ')}`;
  return (
    `<svg id="rnvl" role="img" aria-labelledby="rnvl-t" viewBox="0 0 ${w} ${h}" width="100%" height="${h}"><title id="rnvl-t">${esc(summary)}</title>` +
    `<line x1="28" y1="${h - 24}" x2="${w - 8}" y2="${h - 24}" stroke="#a1a1aa"/>${bars}</svg>` +
    `<p class="note">Blue: retained customers (R = N·V·L); green: new customers; amber: reactivated.</p>`
  );
}

/** Cohorts down, periods since the first order across; each cell's shade is its share (the number is in the cell too). */
function cohortHeatMap(r: RetentionView): string {
  if (r.cohorts.length === 0) return '<p class="note">No cohorts yet: the table fills as customers order.</p>';
  const width = Math.max(...r.cohorts.map((c) => c.cells.length));
  const head = ['cohort', 'customers', ...Array.from({ length: width }, (_, k) => `+${k}`)];
  const rows = r.cohorts
    .map(
      (c) =>
        `<tr><th scope="row">${esc(c.cohort)}</th><td>${c.size}</td>` +
        c.cells
          .map((cell) => {
            const alpha = (0.1 + 0.9 * cell.share).toFixed(2);
            const dark = cell.share > 0.55;
            return `<td style="background:rgba(37,99,235,${alpha});color:${dark ? '#fff' : '#18181b'}" title="${esc(`${cell.period}: ${cell.active} of ${c.size}`)}">${esc(pct(cell.share))}</td>`;
          })
          .join('') +
        '<td></td>'.repeat(width - c.cells.length) +
        `</tr>`,
    )
    .join('');
  return (
    `<table id="cohorts"><caption>Share of each cohort (customers by the ${esc(r.period)} of their first order) who ordered again k ${esc(r.period)}s later</caption>` +
    `<thead><tr>${head.map((x) => `<th scope="col">${esc(x)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`
  );
}

function paretoChart(v: ValueView): string {
  const w = 480;
  const h = 240;
  const pts = v.pareto.curve.filter((p) => p.revenueShare !== null);
  const x = (s: number) => 40 + s * (w - 60);
  const y = (s: number) => h - 30 - s * (h - 50);
  const line = pts.map((p) => `${x(p.customerShare).toFixed(1)},${y(Math.max(0, Math.min(1, p.revenueShare!))).toFixed(1)}`).join(' ');
  const summary =
    v.pareto.top20Share === null ? 'no customers yet' : `the top 20 % of customers bring ${pct(v.pareto.top20Share)} of revenue`;
  return (
    `<svg id="pareto" role="img" aria-labelledby="pareto-t" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}"><title id="pareto-t">${esc(summary)}</title>` +
    `<line x1="40" y1="${y(0)}" x2="${x(1)}" y2="${y(0)}" stroke="#a1a1aa"/><line x1="40" y1="${y(0)}" x2="40" y2="${y(1)}" stroke="#a1a1aa"/>` +
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#d4d4d8" stroke-dasharray="4 4"/>` +
    (pts.length ? `<polyline fill="none" stroke="#2563eb" stroke-width="2" points="${line}"/>` : '') +
    `<line x1="${x(0.2)}" y1="${y(0)}" x2="${x(0.2)}" y2="${y(1)}" stroke="#f59e0b" stroke-dasharray="2 3"/>` +
    `<text x="${x(0.2) + 4}" y="${y(1) + 12}" font-size="11" fill="#b45309">top 20 %</text>` +
    `<text x="${x(0.5)}" y="${h - 6}" font-size="11" text-anchor="middle" fill="#52525b">share of customers (most valuable first)</text>` +
    `<text x="12" y="${y(0.5)}" font-size="11" fill="#52525b" transform="rotate(-90 12 ${y(0.5)})" text-anchor="middle">share of revenue</text></svg>` +
    `<p>${esc(summary)}; ${v.pareto.unprofitable.customers} customer(s) (${esc(pct(v.pareto.unprofitable.share))}) are worth less than they cost.</p>`
  );
}
