import { type Context, Hono } from 'hono';
import type { CurrencyRule } from '../attribution/currency';
import { AppError } from '../errors';
import { type CampaignReport, campaignReport, campaignReports } from '../reports/campaign';
import { calendarKey } from './calendar-auth';
import { campaignReportPage, reportListPage } from './report-page';
import type { Database } from '../storage/db';
import { apiKey } from './middleware/api-key';

export interface ReportRouteDeps {
  database: Database;
  apiKeys: readonly string[];
  /** The shop's currency and rates (SHOP_CURRENCY, CURRENCY_RATES). */
  money: CurrencyRule;
}

/** `?from=` / `?to=` as dates (YYYY-MM-DD, UTC midnight) or ISO instants with Z or an offset; anything else is a 400 naming it. */
export function reportRange(query: (name: string) => string | undefined): { from?: Date; to?: Date } {
  const range: { from?: Date; to?: Date } = {};
  for (const name of ['from', 'to'] as const) {
    const v = query(name);
    if (v === undefined || v === '') continue;
    // An instant must name its offset (Z or ±hh:mm): a zoneless one would be read in the server's time zone.
    const d = /^\d{4}-\d{2}-\d{2}$/.test(v)
      ? new Date(`${v}T00:00:00Z`)
      : /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/i.test(v)
        ? new Date(v)
        : new Date(NaN);
    const year = d.getUTCFullYear();
    if (Number.isNaN(d.getTime()) || year < 2000 || year > 9999)
      throw new AppError(
        'bad_request',
        `${name}: expected a date such as 2026-12-01 or an ISO instant with its offset such as 2026-12-01T08:00:00Z (got "${v.slice(0, 40)}")`,
        {
          details: { parameter: name },
        },
      );
    range[name] = d;
  }
  if (range.from && range.to && range.from >= range.to)
    throw new AppError('bad_request', 'from: must be before to', { details: { parameter: 'from' } });
  return range;
}

/** The report a request names: `:campaign`, with its `?from=&to=` range (also the admin route's). */
export function requestedReport(database: Database, money: CurrencyRule, c: Context): Promise<CampaignReport> {
  return campaignReport(
    database,
    c.req.param('campaign') ?? '',
    reportRange((n) => c.req.query(n)),
    money,
  );
}

/**
 * `GET /v1/reports/:campaign[?from=&to=]` (bearer API key): the campaign's report as JSON
 * (src/reports/campaign.ts) — sends, opens and clicks (human and machine/bot apart), unsubscribes,
 * complaints, revenue under each attribution model, revenue per recipient, holdout lift with its
 * intervals, the journey funnel and daily figures. Unknown campaign → 404 naming it.
 * `GET /reports` and `GET /reports/:campaign`: the same as HTML pages (./report-page.ts).
 */
export function reportRoutes(deps: ReportRouteDeps) {
  const app = new Hono();
  app.get('/v1/reports/:campaign', apiKey({ keys: deps.apiKeys }), async (c) =>
    c.json(await requestedReport(deps.database, deps.money, c)),
  );
  // The pages a marketer opens in a browser: the key as a bearer header or ?key= (like /calendar), carried forward in links.
  const browser = calendarKey({ keys: deps.apiKeys });
  const linkWithKey = (key: string | undefined) => (path: string) =>
    key ? `${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}` : path;
  app.get('/reports', browser, async (c) => {
    const sort = (['revenue', 'rpr', 'lift', 'name'] as const).find((s) => s === c.req.query('sort')) ?? 'revenue';
    const reports = await campaignReports(
      deps.database,
      reportRange((n) => c.req.query(n)),
      deps.money,
    );
    return c.html(reportListPage(reports, sort, linkWithKey(c.req.query('key'))));
  });
  app.get('/reports/:campaign', browser, async (c) => {
    const report = await requestedReport(deps.database, deps.money, c);
    return c.html(campaignReportPage(report, linkWithKey(c.req.query('key'))('/reports')));
  });
  return app;
}
