import { type AdminReport, planReport } from '../campaigns/admin';
import { planMarkdown } from '../campaigns/format';
import type { Project } from '../dsl/plan';
import type { Database } from '../storage/db';
import type { Pace } from './pace';
import { type PlanForecastRequest, planForecast } from './plan-forecast';
import { forecastMarkdown, forecastText } from './plan-format';

/**
 * `almanac plan`, with `--forecast` when `forecast` is given: the plan of src/campaigns/admin.ts,
 * then the forecast before → after and the warnings (./plan-forecast.ts) in each format — the
 * text after the plan, `forecast`, `notes` and `warnings` beside `changes` in the JSON, and the
 * table and warnings after the diff block in markdown. The CLI's local path and the server's
 * `POST /v1/admin/plan` both call this, so both print the same.
 */
export async function planWithForecast(
  database: Database,
  project: Project,
  forecast: PlanForecastRequest | undefined,
  options: { pace?: Pace } = {},
): Promise<AdminReport> {
  const plan = await planReport(database, project);
  if (!forecast) return plan;
  const f = await planForecast(database, project, forecast, options);
  return {
    text: plan.text + forecastText(f),
    json: { ...(plan.json as Record<string, unknown>), forecast: f.forecast, notes: f.notes, warnings: f.warnings },
    markdown: planMarkdown(plan.text, forecastMarkdown(f)),
  };
}
