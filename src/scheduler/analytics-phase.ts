import { type CurrencyRule } from '../attribution/currency';
import { customerValues } from '../analytics/measures/value';
import { FIT_SAMPLE, fitModel, predictWith, type PredictionModel } from '../analytics/predict-customers';
import { RFM_GRID } from '../analytics/rfm';
import type { Metrics } from '../metrics';
import {
  type AnalyticsScope,
  bulkSettings,
  commonCurrency,
  dueCustomers,
  customerRows,
  customerSample,
  readFlag,
  refreshCustomers,
  scoreRfm,
  type StageChange,
  type StageRules,
  writeFlag,
  tryAnalyticsLock,
  writeScores,
} from '../storage/analytics';
import type { Database, Tx } from '../storage/db';
import { insertEvents } from '../storage/events';
import type { TickPhase } from './tick';

export interface AnalyticsSettings {
  ownStage: boolean;
  rules: StageRules;
  passSeconds: number;
  horizonDays: number;
  costs: Parameters<typeof customerValues>[1];
}

export interface AnalyticsPhaseDeps {
  database: Database;
  metrics: Metrics;
  batchSize: number;
  settings: AnalyticsSettings;
  money: CurrencyRule;
}

/** Where the fitted repeat-buying model is kept between passes (runtime_flags). */
export const MODEL_FLAG = 'analytics.model';
const PAGE = 5000;
/** How old a fitted model may be before a full pass fits it again. */
export const REFIT_MS = 86_400_000;

/**
 * Tick phase `analytics`: customer analytics kept current (README "Customer analytics").
 *
 * Every ANALYTICS_PASS_SECONDS a **full pass** recomputes every contact in a few set-based
 * statements: the order summary and lifecycle stage (src/storage/analytics.ts), RFM scores over
 * the whole base, then, a page of 5 000 customers at a time, customer value after costs
 * (src/analytics/measures/value.ts) and the predictions of the repeat-buying model
 * (src/analytics/predict-customers.ts: BG/NBD and Gamma-Gamma fitted on the whole base — an even
 * sample of 20 000 when larger — at most once a day, the fit kept in `runtime_flags` for the
 * passes and ticks in between). Every other tick an **incremental pass**
 * looks only at contacts with new or refunded orders (orders not credited yet: this phase runs
 * first in the tick, before `attribution`), contacts whose stage is due to change by time alone (`review_at`) and
 * contacts never looked at, up to the batch size, with the last fitted model; RFM, being relative
 * to the whole base, moves only in full passes.
 *
 * A stage change becomes a `lifecycle.changed` event `{ from, to }` (source `analytics`), so
 * `trigger: { event: lifecycle.changed, where: … }` or a segment on `lifecycle: churning` start
 * journeys. The first look at a contact (the first pass over a base, a contact created by its
 * first order) is not a change and emits none: `order.created` is already there for that.
 * One pass at a time across workers: a tick that finds another worker's pass running skips it.
 */
export function createAnalyticsPhase(deps: AnalyticsPhaseDeps): TickPhase {
  const { database, settings } = deps;
  let lastFull: Date | undefined;
  return {
    name: 'analytics',
    async run(now) {
      const full = !lastFull || now.getTime() - lastFull.getTime() >= settings.passSeconds * 1000;
      let ran = false;
      const handled = await database.db.transaction(async (tx) => {
        if (!(await tryAnalyticsLock(tx))) return 0;
        ran = true;
        if (full) await bulkSettings(tx);
        const currency = deps.money.shop ?? (await commonCurrency(tx));
        const rates: Record<string, number> =
          deps.money.shop === null ? (currency ? { [currency]: 1 } : {}) : { ...deps.money.rates, [deps.money.shop]: 1 };
        const scope: AnalyticsScope = full ? { kind: 'all' } : { kind: 'ids', ids: await dueCustomers(tx, now, deps.batchSize) };
        if (scope.kind === 'ids' && scope.ids.length === 0) return 0;
        const changes = await refreshCustomers(tx, scope, { now, rates, rules: settings.rules, ownStage: settings.ownStage });
        if (full) await scoreRfm(tx, [...RFM_GRID]);
        let model = await readFlag<PredictionModel>(tx, MODEL_FLAG);
        // The fit (seconds on a large base) is redone by a full pass once it is a day old, or when the currency changed.
        const stale = !model || now.getTime() - Date.parse(model.fittedAt) >= REFIT_MS || model.currency !== (currency ?? '');
        if (full && stale) {
          const sample = await customerSample(tx, now, FIT_SAMPLE);
          model = fitModel(sample.rows, { now, currency: currency ?? '', baseSize: sample.customers });
          await writeFlag(tx, MODEL_FLAG, model, now);
        }
        const scored = await scorePages(tx, scope, now, rates, currency ?? 'EUR', model);
        await emitChanges(tx, changes, now);
        deps.metrics.inc('almanac_lifecycle_changes_total', 'Contacts whose lifecycle stage changed', {}, changes.length);
        return scored;
      });
      if (full && ran) lastFull = now;
      return handled;
    },
  };

  async function scorePages(
    tx: Tx,
    scope: AnalyticsScope,
    now: Date,
    rates: Record<string, number>,
    currency: string,
    model: PredictionModel | undefined,
  ): Promise<number> {
    let n = 0;
    for (let after = 0; ;) {
      const rows = await customerRows(tx, scope, after, PAGE);
      if (rows.length === 0) break;
      after = rows.at(-1)!.contactId;
      const values = customerValues(
        rows.map((r) => {
          const channel = r.attributes.acquisition_channel;
          const acquisition = r.attributes.acquisition_cost;
          const service = r.attributes.service_cost;
          return {
            id: r.contactId,
            revenue: r.revenue,
            orders: r.orders,
            tenureDays: Math.max(0, (now.getTime() - r.createdAt.getTime()) / 86_400_000),
            ...(typeof channel === 'string' ? { channel: channel.toLowerCase() } : {}),
            attributeCosts: {
              ...(typeof acquisition === 'number' && acquisition >= 0 ? { acquisition } : {}),
              ...(typeof service === 'number' && service >= 0 ? { service } : {}),
            },
          };
        }),
        settings.costs,
        currency,
      );
      const predictions =
        model === undefined
          ? new Map()
          : predictWith(
              model,
              rows.filter((r) => r.orders > 0).map((r) => summaryOf(r, now, r.revenue > 0 ? r.revenue / r.orders : null)),
              { now, horizonDays: settings.horizonDays },
            );
      await writeScores(
        tx,
        rows.map((r, i) => ({ contactId: r.contactId, value: values[i]!.value, predicted: predictions.get(r.contactId) ?? null })),
      );
      n += rows.length;
    }
    return n;
  }
}

/** The repeat-buying summary of one customer (days): repeat orders, time of the last since the first, age since the first. */
function summaryOf(
  r: { contactId: number; orders: number; firstOrderAt: Date | null; lastOrderAt: Date | null },
  now: Date,
  meanSpend: number | null,
) {
  const first = r.firstOrderAt!.getTime();
  return {
    id: r.contactId,
    x: r.orders - 1,
    tx: (r.lastOrderAt!.getTime() - first) / 86_400_000,
    T: Math.max(0, (now.getTime() - first) / 86_400_000),
    meanSpend,
  };
}

async function emitChanges(tx: Tx, changes: StageChange[], now: Date): Promise<void> {
  if (changes.length === 0) return;
  for (let i = 0; i < changes.length; i += PAGE) {
    await insertEvents(
      tx,
      changes.slice(i, i + PAGE).map((c) => ({
        dedupeKey: `analytics:lifecycle:${c.contactId}:${c.to}:${now.toISOString()}`,
        type: 'lifecycle.changed',
        contactId: c.contactId,
        properties: { from: c.from, to: c.to },
        occurredAt: now,
        receivedAt: now,
        source: 'analytics',
      })),
    );
  }
}
