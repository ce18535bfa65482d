import { attribute, MODELS } from '../attribution/models';
import { MAX_ATTRIBUTION_WINDOW_MS, type Touch, type Windows, windowsOf } from '../attribution/types';
import type { PlanCache } from '../campaigns/plan-cache';
import type { Metrics } from '../metrics';
import { type AttributionRow, claimUnattributedOrders, replaceAttributions, touchesOf } from '../storage/attribution';
import type { Database } from '../storage/db';
import { batchedPhase, type TickPhase } from './tick';

export interface AttributionPhaseDeps {
  database: Database;
  plans: PlanCache;
  metrics: Metrics;
  batchSize: number;
  maxBatches?: number;
  /** Time-decay half-life (default 1 day). */
  halfLifeMs?: number;
}

/**
 * Tick phase `attribution`: credit orders to campaigns, a batch per transaction. Orders not yet
 * credited (new ones, refunded ones, those `almanac attribution recompute` marked) are claimed
 * with SKIP LOCKED; their contacts' clicks and opens are read in two statements; the pure models
 * (src/attribution/models.ts: last click — the default — first click, linear, time decay, and
 * UTM/landing credit) run per order with each campaign's `goal.attribution` windows (default 5 d
 * click / 1 d open); the credits replace the order's old ones in one write. Bot clicks and
 * machine opens are in the raw data and never credited. Recomputable at any time: changing a
 * window and recomputing rewrites history from the same raw touches.
 */
export function createAttributionPhase(deps: AttributionPhaseDeps): TickPhase {
  const runBatch = (now: Date) =>
    deps.database.db.transaction(async (tx) => {
      const batch = await claimUnattributedOrders(tx, deps.batchSize);
      if (batch.length === 0) return 0;
      const plans = new Map((await deps.plans.active(tx)).map((c) => [c.plan.id, c.plan]));
      const windows = (campaign: string): Windows => windowsOf(plans.get(campaign));
      // utm_campaign names a campaign by its `utm.campaign` when it sets one, else by its id.
      const byUtm = new Map([...plans.values()].map((p) => [p.utm?.campaign ?? p.id, p.id]));
      const earliest = Math.min(...batch.map((o) => o.occurredAt.getTime()));
      const touches = await touchesOf(
        tx,
        [...new Set(batch.flatMap((o) => (o.contactId === null ? [] : [o.contactId])))],
        new Date(earliest - MAX_ATTRIBUTION_WINDOW_MS),
      );
      const byContact = new Map<number, Touch[]>();
      for (const t of touches) {
        const list = byContact.get(t.contactId) ?? [];
        list.push({
          kind: t.kind,
          at: t.at,
          campaign: t.campaign,
          sendId: t.sendId,
          ...(t.kind === 'click' ? { bot: t.bot } : { machine: t.bot }),
        });
        byContact.set(t.contactId, list);
      }
      const rows: AttributionRow[] = [];
      for (const order of batch) {
        const credits = attribute(
          {
            id: order.id,
            at: order.occurredAt,
            revenue: Number(order.revenue),
            currency: order.currency,
            contactId: order.contactId,
            utmCampaign: order.utmCampaign,
          },
          order.contactId === null ? [] : (byContact.get(order.contactId) ?? []),
          { windows, ...(deps.halfLifeMs ? { halfLifeMs: deps.halfLifeMs } : {}), utmCampaign: (v) => byUtm.get(v) ?? null },
        );
        for (const model of MODELS) {
          for (const c of credits[model]) {
            rows.push({
              orderId: order.id,
              sendId: c.sendId,
              campaign: c.campaign,
              model,
              touch: c.touch,
              weight: c.weight.toFixed(6),
              revenue: c.revenue.toFixed(2),
            });
          }
        }
      }
      // Every campaign with a holdout counts its arms' orders in its click window (the lift, src/attribution/lift.ts).
      const holdouts = [...plans.values()]
        .filter((p) => p.holdoutPercent > 0)
        .map((p) => ({ campaign: p.id, clickMs: windows(p.id).clickMs }));
      await replaceAttributions(
        tx,
        batch.map((o) => o.id),
        rows,
        now,
        holdouts,
      );
      deps.metrics.inc('almanac_orders_attributed_total', 'Orders credited to campaigns by the attribution phase', {}, batch.length);
      return batch.length;
    });
  return batchedPhase('attribution', deps, runBatch);
}
