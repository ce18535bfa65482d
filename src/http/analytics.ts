import { Hono } from 'hono';
import type { CurrencyRule } from '../attribution/currency';
import { analyticsViews, lifecycleView, retentionView, valueView } from '../reports/analytics';
import type { PeriodKind } from '../storage/analytics-views';
import type { Database } from '../storage/db';
import { analyticsPage } from './analytics-page';
import { calendarKey } from './calendar-auth';
import { apiKey } from './middleware/api-key';

export interface AnalyticsRouteDeps {
  database: Database;
  apiKeys: readonly string[];
  money: CurrencyRule;
  now: () => Date;
}

export const periodOf = (v: string | undefined): PeriodKind | undefined => (v === undefined || v === '' ? undefined : (v as PeriodKind));

/**
 * Customer analytics (src/reports/analytics.ts), bearer API key:
 * - `GET /v1/analytics/lifecycle` → stages with contacts, revenue, value and mean churn risk; stage
 *   changes of the last 30 days (from → to); RFM cells; the customers most at risk; the fitted model.
 * - `GET /v1/analytics/retention[?period=month|quarter|year]` → R = N·V·L per period in the calendar's
 *   zone, reconciled with total revenue and its change split by factor; per segment and cohort; the cohort table.
 * - `GET /v1/analytics/value` → customer value after costs: the Pareto curve, the top 20 % share, the unprofitable, per segment.
 * - `GET /analytics[?period=]` → all three as one HTML page (bearer key or `?key=`, like /reports).
 */
export function analyticsRoutes(deps: AnalyticsRouteDeps) {
  const app = new Hono();
  const auth = apiKey({ keys: deps.apiKeys });
  app.get('/v1/analytics/lifecycle', auth, async (c) => c.json(await lifecycleView(deps.database, deps.money, deps.now())));
  app.get('/v1/analytics/retention', auth, async (c) => {
    const period = periodOf(c.req.query('period'));
    return c.json(await retentionView(deps.database, deps.money, deps.now(), period ? { period } : {}));
  });
  app.get('/v1/analytics/value', auth, async (c) => c.json(await valueView(deps.database, deps.money)));
  app.get('/analytics', calendarKey({ keys: deps.apiKeys }), async (c) => {
    const period = periodOf(c.req.query('period'));
    const now = deps.now();
    const views = await analyticsViews(deps.database, deps.money, now, period ? { period } : {});
    const key = c.req.query('key');
    return c.html(analyticsPage(views, (path) => (key ? `${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}` : path)));
  });
  return app;
}
