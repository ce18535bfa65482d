import { type CurrencyRule } from '../attribution/currency';
import { customerValues } from '../analytics/measures/value';
import { FIT_SAMPLE, fitModel, predictWith, type PredictionModel } from '../analytics/predict-customers';
import { RFM_GRID } from '../analytics/rfm';
import type { Metrics } from '../metrics';
import { snapshotView, SNAPSHOT_KINDS } from '../reports/analytics';
import {
  type AnalyticsScope,
  bulkSettings,
  nextChunk,
  dueCustomers,
  customerRows,
  customerSample,
  refreshCustomers,
  customerCount,
  rankRfm,
  applyRfm,
  type StageChange,
  type StageRules,
  tryAnalyticsLock,
  writeScores,
} from '../storage/analytics';
import { ANALYTICS_FLAGS, commonCurrency, dropViewSnapshots, readFlag, reportCurrency, writeFlag } from '../storage/analytics-flags';
import type { Database, Tx } from '../storage/db';
import { insertEvents } from '../storage/events';
import type { TickPhase } from './tick';

export interface AnalyticsSettings {
  ownStage: boolean;
  rules: StageRules;
  passSeconds: number;
  horizonDays: number;
  costs: Parameters<typeof customerValues>[1];
  /** ANALYTICS_LIVE_VIEWS_MAX: above this many customers the pass keeps the views' inputs (absent: never). */
  liveViewsMax?: number;
}

export interface AnalyticsPhaseDeps {
  database: Database;
  metrics: Metrics;
  batchSize: number;
  settings: AnalyticsSettings;
  money: CurrencyRule;
  /** Contacts per full-pass transaction and per tick (PASS_CHUNK, PASS_PER_TICK; tests make them small). */
  passChunk?: number;
  passPerTick?: number;
}

/** Where the fitted repeat-buying model is kept between passes (runtime_flags). */
export const MODEL_FLAG = ANALYTICS_FLAGS.model;
/** Where the full pass in progress (or the last one done) is kept, so every worker continues it. */
export const PASS_FLAG = ANALYTICS_FLAGS.pass;
const PAGE = 5000;
/** How old a fitted model may be before a full pass fits it again. */
export const REFIT_MS = 86_400_000;
/** Contacts per transaction of a full pass, and at most per tick: a base of millions is walked over many short ticks. */
export const PASS_CHUNK = 10_000;
export const PASS_PER_TICK = 20_000;

/**
 * A full pass in progress: `summary` walks the base in id order refreshing order summaries and
 * stages; `rfm` scores the whole base and refits the model when stale (one step); `scores` walks
 * it again writing value, predictions and `doc`; `views`, on a base over ANALYTICS_LIVE_VIEWS_MAX
 * customers, keeps the retention (month, quarter, year) and value views' inputs, one a tick;
 * `done` until the next pass is due.
 */
interface PassState {
  startedAt: string;
  step: 'summary' | 'rfm' | 'scores' | 'views' | 'done';
  /** summary/scores: the last contact id done; views: how many of SNAPSHOT_KINDS are done. */
  after: number;
  /** views: the customers counted when the step began. */
  customers?: number;
  /** Contacts the summary walk has seen: what a whole-base step (RFM, a view) costs of a tick's budget. */
  seen?: number;
  /** The report currency of the pass (null: no orders when it started). */
  currency?: string | null;
}

/**
 * Tick phase `analytics`: customer analytics kept current (README "Customer analytics").
 *
 * Every ANALYTICS_PASS_SECONDS a **full pass** recomputes every contact, walking the base in id
 * order, PASS_CHUNK contacts per transaction and at most PASS_PER_TICK per tick (a base of a
 * million takes some 100 ticks, mostly of seconds; a few thousand contacts finish in the tick the
 * pass starts): the order summary and lifecycle stage (src/storage/analytics.ts); then RFM
 * scores ranked over the whole base into `rfm_scores` and, at most once a day, the fit of the repeat-buying model
 * (src/analytics/predict-customers.ts: BG/NBD and Gamma-Gamma on the whole base — an even sample
 * of 20 000 when larger — kept in `runtime_flags`); then, chunk by chunk, the RFM scores copied
 * in and, a page of 5 000 at a time, customer value after costs (src/analytics/measures/value.ts)
 * and the predictions, with `doc`. Where the pass is
 * (`analytics.pass`) is kept in `runtime_flags` too, so any worker continues it. Every tick, pass
 * or not, an **incremental pass** first looks at contacts with new or refunded orders (orders not
 * credited yet: this phase runs first in the tick, before `attribution`), contacts whose stage is
 * due to change by time alone (`review_at`) and contacts never looked at, up to the batch size,
 * with the last fitted model; RFM, being relative to the whole base, moves only in full passes.
 *
 * A stage change becomes a `lifecycle.changed` event `{ from, to }` (source `analytics`), in the
 * transaction that finds it, so `trigger: { event: lifecycle.changed, where: … }` or a segment on
 * `lifecycle: churning` start journeys. The first look at a contact (the first pass over a base,
 * a contact created by its first order) is not a change and emits none: `order.created` is
 * already there for that. One transaction at a time across workers (an advisory lock keyed by
 * the schema): a worker that finds another's running skips that piece of work this tick.
 */
export function createAnalyticsPhase(deps: AnalyticsPhaseDeps): TickPhase {
  const { database, settings } = deps;
  const chunkSize = deps.passChunk ?? PASS_CHUNK;
  /**
   * The report currency and rates: SHOP_CURRENCY, else the orders' most common currency as found
   * when the current full pass started (kept in its state: a group by over every order is
   * seconds on millions, not something to redo every tick or chunk).
   */
  async function money(tx: Tx, pass?: PassState) {
    const currency = deps.money.shop ?? (pass?.currency !== undefined ? pass.currency : await reportCurrency(tx));
    const rates: Record<string, number> =
      deps.money.shop === null ? (currency ? { [currency]: 1 } : {}) : { ...deps.money.rates, [deps.money.shop]: 1 };
    return { currency, rates };
  }
  /** One locked transaction; undefined when another worker holds the lock. */
  const locked = <T>(fn: (tx: Tx) => Promise<T>): Promise<T | undefined> =>
    database.db.transaction(async (tx) => ((await tryAnalyticsLock(tx)) ? fn(tx) : undefined));
  /** Summary and stage of the contacts in `scope`, and their stage changes as events. */
  const refresh = async (tx: Tx, scope: AnalyticsScope, now: Date, rates: Record<string, number>) => {
    const changes = await refreshCustomers(tx, scope, { now, rates, rules: settings.rules, ownStage: settings.ownStage });
    await emitChanges(tx, changes, now);
    deps.metrics.inc('almanac_lifecycle_changes_total', 'Contacts whose lifecycle stage changed', {}, changes.length);
  };

  return {
    name: 'analytics',
    async run(now) {
      // The incremental pass: what changed since the last tick.
      let handled =
        (await locked(async (tx) => {
          const ids = await dueCustomers(tx, now, deps.batchSize);
          if (ids.length === 0) return 0;
          const scope: AnalyticsScope = { kind: 'ids', ids };
          const { currency, rates } = await money(tx);
          await refresh(tx, scope, now, rates);
          return scorePages(tx, scope, now, rates, currency ?? 'EUR', await readFlag<PredictionModel>(tx, MODEL_FLAG));
        })) ?? 0;
      // The full pass: this tick's share of it, a step per transaction.
      for (let budget = deps.passPerTick ?? PASS_PER_TICK; budget > 0;) {
        const step = await locked((tx) => passStep(tx, now));
        if (!step) break;
        handled += step.contacts;
        if (step.pass.step === 'done') break;
        // Every step spends budget (a chunk its contacts, a whole-base step the base): a large base's pass spreads over
        // ticks, a small one's finishes in this one. Every step moves the pass on, so the loop ends at `done` anyway.
        budget -= Math.max(step.cost, 1);
      }
      return handled;
    },
  };

  /** One step of the full pass (starting one when due), its state written back in the same transaction. */
  async function passStep(tx: Tx, now: Date): Promise<{ pass: PassState; contacts: number; cost: number }> {
    await bulkSettings(tx);
    let pass = await readFlag<PassState>(tx, PASS_FLAG);
    if (!pass || (pass.step === 'done' && now.getTime() - Date.parse(pass.startedAt) >= settings.passSeconds * 1000))
      pass = { startedAt: now.toISOString(), step: 'summary', after: 0, currency: deps.money.shop ?? (await commonCurrency(tx)) };
    if (pass.step === 'done') return { pass, contacts: 0, cost: 0 };
    const { currency, rates } = await money(tx, pass);
    let contacts = 0;
    // RFM and the views read the whole base: they cost what the summary walk saw.
    const cost = pass.step === 'rfm' || pass.step === 'views' ? (pass.seen ?? 0) : 0;
    if (pass.step === 'views') {
      const customers = pass.customers ?? (await customerCount(tx));
      const kind = SNAPSHOT_KINDS[pass.after];
      if (customers <= (settings.liveViewsMax ?? Infinity) || kind === undefined) {
        if (customers <= (settings.liveViewsMax ?? Infinity)) await dropViewSnapshots(tx);
        pass = { ...pass, step: 'done', after: 0 };
      } else {
        await snapshotView(tx, deps.money, now, kind, customers);
        pass = { ...pass, customers, after: pass.after + 1 };
      }
    } else if (pass.step === 'rfm') {
      await rankRfm(tx, [...RFM_GRID]);
      const model = await readFlag<PredictionModel>(tx, MODEL_FLAG);
      // The fit (seconds on a large base) is redone once it is a day old, or when the currency changed.
      if (!model || now.getTime() - Date.parse(model.fittedAt) >= REFIT_MS || model.currency !== (currency ?? '')) {
        const sample = await customerSample(tx, now, FIT_SAMPLE);
        await writeFlag(tx, MODEL_FLAG, fitModel(sample.rows, { now, currency: currency ?? '', baseSize: sample.customers }), now);
      }
      pass = { ...pass, step: 'scores', after: 0 };
    } else {
      const chunk = await nextChunk(tx, pass.after, chunkSize);
      if (chunk === null) pass = { ...pass, step: pass.step === 'summary' ? 'rfm' : 'views', after: 0 };
      else {
        const scope: AnalyticsScope = { kind: 'range', after: pass.after, upTo: chunk.upTo };
        if (pass.step === 'summary') await refresh(tx, scope, now, rates);
        else {
          // The pass's RFM scores land with the value and predictions, so `doc` is written once.
          await applyRfm(tx, scope);
          await scorePages(tx, scope, now, rates, currency ?? 'EUR', await readFlag<PredictionModel>(tx, MODEL_FLAG));
        }
        contacts = chunk.contacts;
        pass = { ...pass, after: chunk.upTo, ...(pass.step === 'summary' ? { seen: (pass.seen ?? 0) + chunk.contacts } : {}) };
      }
    }
    await writeFlag(tx, PASS_FLAG, pass, now);
    return { pass, contacts, cost: Math.max(cost, contacts) };
  }

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
