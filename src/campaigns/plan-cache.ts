import { type CampaignPlan, revivePlan } from '../dsl/plan';
import type { Tx } from '../storage/db';
import { activeCampaignVersionIds, plansByVersionId } from '../storage/campaign-versions';

export interface ActiveCampaign {
  versionId: number;
  plan: CampaignPlan;
}

/**
 * Compiled plans by version id. A version never changes once stored, so a process may keep
 * what it has read; which versions are *active* (newest, not retired) is asked each batch.
 */
export function createPlanCache() {
  const byId = new Map<number, CampaignPlan | null>();

  async function load(tx: Tx, ids: number[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !byId.has(id));
    if (missing.length === 0) return;
    const found = await plansByVersionId(tx, missing);
    for (const id of missing) {
      const json = found.get(id);
      let plan: CampaignPlan | null = null;
      try {
        plan = json === undefined ? null : revivePlan(json);
      } catch {
        plan = null; // not a plan this code can run: the run fails with a recorded reason
      }
      byId.set(id, plan);
    }
  }

  return {
    /** Plans of these versions; null for a version that is missing or unreadable. */
    async byIds(tx: Tx, ids: number[]): Promise<Map<number, CampaignPlan | null>> {
      await load(tx, ids);
      return new Map(ids.map((id) => [id, byId.get(id) ?? null]));
    },
    /** The newest version of every campaign that is not retired. */
    async active(tx: Tx): Promise<ActiveCampaign[]> {
      const ids = await activeCampaignVersionIds(tx);
      await load(tx, ids);
      return ids.flatMap((versionId) => {
        const plan = byId.get(versionId);
        return plan ? [{ versionId, plan }] : [];
      });
    },
  };
}

export type PlanCache = ReturnType<typeof createPlanCache>;
