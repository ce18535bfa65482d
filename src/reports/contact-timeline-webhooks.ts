import type { TimelineData } from '../storage/contact-timeline';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const WORD: Record<string, string> = {
  queued: 'queued',
  calling: 'being called',
  delivered: 'delivered',
  deferred: 'held',
  suppressed: 'suppressed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The `webhook` steps' calls of a contact's timeline (./contact-timeline.ts), by run id, as the JSON shows them. */
export function webhookCallsByRun(rows: TimelineData['webhookCalls']) {
  const byRun = new Map<number, ReturnType<typeof shapeCall>[]>();
  for (const w of rows) byRun.set(w.runId, [...(byRun.get(w.runId) ?? []), shapeCall(w)]);
  return byRun;
}

function shapeCall(w: TimelineData['webhookCalls'][number]) {
  return {
    id: w.id,
    step: w.stepKey,
    url: w.url,
    webhook_id: w.webhookId,
    status: w.status,
    reason: w.reason ?? (w.status === 'failed' ? w.lastError : null),
    response_status: w.responseStatus,
    attempts: w.attempts,
    not_before: iso(w.notBefore),
    created_at: iso(w.createdAt)!,
    delivered_at: iso(w.deliveredAt),
    settled_at: iso(w.settledAt),
  };
}

export type ShapedWebhookCall = ReturnType<typeof shapeCall>;

/** One call as a timeline entry: what happened, and why (campaign, run, step, webhook-id, and what started the run). */
export function webhookEntry(run: { id: number; campaign: string; version: number | null; cause: string }, w: ShapedWebhookCall) {
  return {
    at: w.delivered_at ?? w.settled_at ?? w.created_at,
    kind: 'webhook' as const,
    campaign: run.campaign,
    run_id: run.id,
    summary: `webhook POST ${w.url} of ${run.campaign}: ${WORD[w.status] ?? w.status}${w.response_status === null ? '' : ` (HTTP ${w.response_status})`}${w.reason ? ` (${w.reason})` : ''}`,
    why: `campaign ${run.campaign}${run.version === null ? '' : ` v${run.version}`}, run #${run.id}, step "${w.step}" (webhook-id ${w.webhook_id}, ${w.attempts} attempt${w.attempts === 1 ? '' : 's'}), started by ${run.cause}`,
  };
}
