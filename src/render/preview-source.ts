import { identifiersForRef } from '../contacts/identifiers';
import { customerDoc } from '../storage/analytics';
import type { CampaignPlan } from '../dsl/plan';
import { walkSteps } from '../dsl/walk';
import { cartProductIds } from './message';
import { latestVersions } from '../storage/campaign-versions';
import type { Tx } from '../storage/db';
import { recommendationsFor } from '../storage/recommendations';
import { findContactByIdentifiers } from '../storage/contacts';
import { latestEventOfType } from '../storage/events';
import { readSendForView, type SendContextRow, loadSendContexts } from '../storage/sends';
import type { Recommendation } from './types';

/** Recommendations computed for a preview, as many as the dispatcher prepares. */
export const PREVIEW_RECOMMENDATIONS = 8;

export interface PreviewSubject {
  contact: {
    id: number;
    label: string;
    email: string | null;
    locale: string | null;
    timezone: string | null;
    attributes: Record<string, unknown>;
    /** What customer analytics knows (`customer.*` in templates); null before its first pass. */
    customer: Record<string, unknown> | null;
  };
  trigger?: { type: string; properties: Record<string, unknown> };
  recommendations: Recommendation[];
}

/**
 * Everything a preview reads from the database for one contact (by external id, else email):
 * the contact, its newest event of `triggerType` (the trigger a run would have: its cart, for
 * abandoned carts), and its recommendations, computed as the dispatcher does. Undefined when no
 * such contact exists. Shared by `almanac preview --contact ID` and the preview route.
 */
export async function loadPreviewSubject(tx: Tx, idOrEmail: string, triggerType: string | undefined): Promise<PreviewSubject | undefined> {
  const row = await findContactByIdentifiers(tx, identifiersForRef(idOrEmail));
  if (!row) return undefined;
  const ev = triggerType ? await latestEventOfType(tx, row.id, triggerType) : undefined;
  const trigger = ev ? { type: ev.type, properties: ev.properties } : undefined;
  const recs = await recommendationsFor(
    tx,
    [{ contactId: row.id, seedProductIds: cartProductIds(trigger ?? null) }],
    PREVIEW_RECOMMENDATIONS,
  );
  return {
    contact: {
      id: row.id,
      label: row.externalId ?? row.email ?? `#${row.id}`,
      email: row.email,
      locale: row.locale,
      timezone: row.timezone,
      attributes: row.attributes,
      customer: await customerDoc(tx, row.id),
    },
    ...(trigger ? { trigger } : {}),
    recommendations: recs.get(row.id) ?? [],
  };
}

export interface TemplateUse {
  campaign: { id: string; name: string };
  /** The campaign's consent purpose (absent for a template no campaign sends). */
  purpose?: string;
  triggerType?: string;
  data?: unknown;
  subject?: string;
}

/**
 * The first applied (not retired) campaign, by id, with a step sending `template`: its name,
 * trigger event type and the step's `data:` / `subject:`. A template no campaign sends is
 * previewed on its own (campaign `template:NAME`, no trigger).
 */
export async function findTemplateUse(tx: Tx, template: string): Promise<TemplateUse> {
  const versions = (await latestVersions(tx))
    .filter((v) => v.kind === 'campaign' && !v.retired)
    .sort((a, b) => a.campaign.localeCompare(b.campaign));
  for (const v of versions) {
    const plan = v.plan as CampaignPlan;
    for (const step of walkSteps(plan.steps ?? [])) {
      if (step.kind !== 'send' || step.template !== template) continue;
      return {
        campaign: { id: plan.id, name: plan.name },
        purpose: plan.purpose,
        ...(plan.trigger?.kind === 'event' ? { triggerType: plan.trigger.event } : {}),
        ...(step.data === undefined ? {} : { data: step.data }),
        ...(step.subject === undefined ? {} : { subject: step.subject }),
      };
    }
  }
  return { campaign: { id: `template:${template}`, name: template } };
}

export interface SendForView {
  send: { id: number; template: string; campaign: string; contactId: number; purpose: string; payload: Record<string, unknown> };
  context: SendContextRow;
}

/** A send with what its message was rendered from (contact, run trigger, campaign name), or undefined. */
export async function loadSendForView(tx: Tx, sendId: number): Promise<SendForView | undefined> {
  const send = await readSendForView(tx, sendId);
  if (!send) return undefined;
  const context = (await loadSendContexts(tx, [sendId])).get(sendId);
  return context ? { send: { ...send, payload: (send.payload ?? {}) as Record<string, unknown> }, context } : undefined;
}
