import { standardWebhookHeaders } from '../lib/standard-webhooks';
import { hostAllowed } from '../lib/hosts';
import type { Logger } from '../lib/log';
import { forEachLimited } from '../lib/pool';
import type { Metrics } from '../metrics';
import { createWebhookBodyRenderer, webhookData } from '../render/webhook-body';
import { type BackoffOptions, retryDelayMs } from '../sending/backoff';
import { type WebhookCaller, type WebhookResponse, webhookVerdict } from '../sending/webhook';
import { latestCalendarPlan } from '../storage/campaign-versions';
import type { Database } from '../storage/db';
import { loadGateFacts } from '../storage/sends';
import {
  cancelWebhookCallsOfEndedRuns,
  type ClaimedWebhookCall,
  claimDueWebhookCalls,
  expireWebhookLeases,
  handOverWebhookCall,
  loadWebhookContexts,
  webhookWorkDue,
} from '../storage/webhook-calls';
import {
  deferWebhookCalls,
  markDelivered,
  requeueWebhookCalls,
  settleWebhookCalls,
  wakeRunsAwaitingWebhookCalls,
} from '../storage/webhook-outcomes';
import type { TickPhase } from './tick';
import { webhookGate } from './webhook-gate';

export interface WebhooksPhaseOptions {
  database: Database;
  /** The HTTP port (src/sending/webhook-fetch.ts; simulate's answers without calling). */
  caller: WebhookCaller;
  /** The `whsec_` secret of a step's `secret: NAME` (WEBHOOK_SECRETS), or of `null` (WEBHOOK_SECRET); undefined: not configured. */
  secretFor: (name: string | null) => string | undefined;
  /** WEBHOOK_ALLOWED_HOSTS, checked again before each call (the campaign may predate a change); empty: any. */
  allowedHosts?: readonly string[];
  /** WEBHOOK_TIMEOUT_MS; never more than half the lease, so an answer always comes back inside the claim. Default 10 s. */
  timeoutMs?: number;
  /** WEBHOOK_MAX_ATTEMPTS: calls before a transiently failing one is `failed`. Default 8. */
  maxAttempts?: number;
  batchSize: number;
  leaseMs: number;
  concurrency?: number;
  random?: () => number;
  backoff?: BackoffOptions;
  metrics: Metrics;
  log: Logger;
}

const CALLS = 'almanac_webhook_calls_total';
const CALLS_HELP = 'Webhook step calls handled, by outcome';

/** One batch's decisions, written together at the end. */
interface Outcomes {
  delivered: Array<{ id: number; responseStatus: number }>;
  failed: Array<{ id: number; reason: string; error?: string; responseStatus?: number }>;
  suppressed: Array<{ id: number; reason: string }>;
  cancelled: Array<{ id: number; reason: string }>;
  deferred: Array<{ id: number; until: Date; reason: string }>;
  retry: Array<{ id: number; notBefore: Date; error: string; responseStatus?: number }>;
}

/**
 * The `webhooks` tick phase: queued webhook calls → gate → render → sign → POST, exactly once
 * per run and step. Each run: waiting calls of ended runs are cancelled; calls whose claim
 * expired go back to the queue (same `webhook-id`); one batch is claimed (SKIP LOCKED), its
 * contacts, consent and calendar read at once, each call gated (`./webhook-gate.ts`), its body
 * rendered once (stored at the first hand-over, so every retry sends the same bytes), signed
 * with Standard Webhooks at `now` and posted through the `caller` port; the outcomes are written
 * in one transaction, and the runs waiting on delivered, failed or suppressed calls go on.
 *
 * Exactly once means one row per (run, step) and one `webhook-id` for all its attempts: a
 * receiver that dedupes on `webhook-id` (what Standard Webhooks asks of it) acts once even when
 * a timeout or a crash makes Almanac call again, and the row records one delivery.
 */
export function createWebhooksPhase(o: WebhooksPhaseOptions): TickPhase {
  const db = o.database.db;
  const maxAttempts = o.maxAttempts ?? 8;
  const timeoutMs = Math.max(1, Math.min(o.timeoutMs ?? 10_000, Math.floor(o.leaseMs / 2)));
  const random = o.random ?? Math.random;
  const render = createWebhookBodyRenderer();
  o.metrics.declare(CALLS, 'counter', CALLS_HELP);
  const count = (outcome: string, by: number) => by > 0 && o.metrics.inc(CALLS, CALLS_HELP, { outcome }, by);

  async function prepare(claimed: ClaimedWebhookCall[], now: Date, out: Outcomes) {
    const contexts = await loadWebhookContexts(
      db,
      claimed.map((c) => c.id),
    );
    const needsConsent = claimed.filter((c) => c.gate.consent);
    const facts = await loadGateFacts(db, {
      contactIds: [...new Set(needsConsent.map((c) => c.contactId))],
      purposes: [...new Set(needsConsent.map((c) => c.purpose))],
      addressHashes: [],
    });
    const calendar = claimed.some((c) => c.gate.quietHours || c.gate.blackout) ? ((await latestCalendarPlan(db)) ?? undefined) : undefined;
    const ready: Array<{ call: ClaimedWebhookCall; secret: string; body: string }> = [];
    for (const call of claimed) {
      const ctx = contexts.get(call.id);
      if (!ctx) {
        out.failed.push({ id: call.id, reason: 'contact not found' });
        continue;
      }
      const decision = webhookGate(
        call,
        {
          consent: facts.consent.get(`${call.contactId}:${call.purpose}`) ?? 'none',
          timezone: ctx.timezone,
          ...(calendar ? { calendar } : {}),
        },
        now,
      );
      if (decision.action === 'suppress') {
        out.suppressed.push({ id: call.id, reason: decision.reason });
        continue;
      }
      if (decision.action === 'defer') {
        out.deferred.push({ id: call.id, until: decision.until, reason: decision.reason });
        continue;
      }
      const secret = o.secretFor(call.secretName);
      if (!secret) {
        const reason = call.secretName === null ? 'WEBHOOK_SECRET is not set' : `no secret "${call.secretName}" in WEBHOOK_SECRETS`;
        out.failed.push({ id: call.id, reason: `cannot sign: ${reason}` });
        continue;
      }
      const host = new URL(call.url).hostname;
      if (o.allowedHosts?.length && !hostAllowed(host, o.allowedHosts)) {
        out.failed.push({ id: call.id, reason: `host ${host} is outside WEBHOOK_ALLOWED_HOSTS` });
        continue;
      }
      let body = call.body;
      if (body === null) {
        const data = webhookData(
          { contact: ctx, trigger: ctx.trigger, campaign: { id: call.campaign, name: ctx.campaignName ?? call.campaign } },
          { id: call.webhookId, step: call.stepKey },
        );
        const rendered = render(call.template, data);
        if (!rendered.ok) {
          out.failed.push({ id: call.id, reason: `render failed: ${rendered.message}` });
          continue;
        }
        body = rendered.text;
      }
      ready.push({ call, secret, body });
    }
    return ready;
  }

  async function post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse> {
    try {
      return await o.caller.post({ url, headers, body, timeoutMs });
    } catch (err) {
      return { kind: 'network', error: `webhook caller threw: ${(err as Error)?.message ?? String(err)}` };
    }
  }

  function record(call: ClaimedWebhookCall, response: WebhookResponse, now: Date, out: Outcomes): void {
    const verdict = webhookVerdict(response);
    if (verdict.kind === 'delivered') out.delivered.push({ id: call.id, responseStatus: verdict.status });
    else if (verdict.kind === 'failed')
      out.failed.push({ id: call.id, reason: `refused: ${verdict.error}`, error: verdict.error, responseStatus: verdict.status });
    else if (call.attempts >= maxAttempts)
      out.failed.push({
        id: call.id,
        reason: `gave up after ${call.attempts} attempts`,
        error: verdict.error,
        ...(verdict.status === undefined ? {} : { responseStatus: verdict.status }),
      });
    else {
      const delay = retryDelayMs(call.attempts, random, verdict.retryAfterMs, o.backoff);
      out.retry.push({
        id: call.id,
        notBefore: new Date(now.getTime() + delay),
        error: verdict.error,
        ...(verdict.status === undefined ? {} : { responseStatus: verdict.status }),
      });
    }
  }

  async function settle(out: Outcomes, leases: ReadonlyMap<number, Date>, now: Date): Promise<void> {
    const claim = <T extends { id: number }>(rows: T[]) => rows.map((r) => ({ ...r, lease: leases.get(r.id)! }));
    await o.database.db.transaction(async (tx) => {
      const settled = [
        ...(await markDelivered(tx, claim(out.delivered), now)),
        ...(await settleWebhookCalls(tx, 'failed', claim(out.failed), now)),
        ...(await settleWebhookCalls(tx, 'suppressed', claim(out.suppressed), now)),
      ];
      await settleWebhookCalls(tx, 'cancelled', claim(out.cancelled), now);
      await deferWebhookCalls(tx, claim(out.deferred));
      await requeueWebhookCalls(tx, claim(out.retry));
      // Only what this claim settled wakes a run: a claimant that outlived its lease changed nothing above.
      await wakeRunsAwaitingWebhookCalls(tx, settled, now);
    });
  }

  return {
    name: 'webhooks',
    async run(now: Date): Promise<number> {
      if (!(await webhookWorkDue(db, now))) return 0;
      const cancelled = await cancelWebhookCallsOfEndedRuns(db, { dueBy: now }, now);
      const expired = await expireWebhookLeases(db, now);
      if (expired.length) o.log.warn('webhook calls whose claim expired before they were settled: queued again', { count: expired.length });
      count('cancelled', cancelled.length);
      count('requeued', expired.length);
      const claimed = await claimDueWebhookCalls(db, { now, limit: o.batchSize, leaseMs: o.leaseMs });
      if (claimed.length === 0) return cancelled.length + expired.length;
      const out: Outcomes = { delivered: [], failed: [], suppressed: [], cancelled: [], deferred: [], retry: [] };
      const ready = await prepare(claimed, now, out);
      await forEachLimited(ready, o.concurrency ?? 8, async ({ call, secret, body }) => {
        const sent = await handOverWebhookCall(db, { id: call.id, leaseUntil: call.leaseUntil, body });
        if (sent === undefined) return void out.cancelled.push({ id: call.id, reason: 'run ended before the call was made' });
        const headers = {
          'content-type': 'application/json',
          'user-agent': 'Almanac-Webhooks/1',
          ...standardWebhookHeaders(secret, call.webhookId, now, sent),
        };
        record(call, await post(call.url, headers, sent), now, out);
      });
      await settle(out, new Map(claimed.map((c) => [c.id, c.leaseUntil])), now);
      for (const kind of ['delivered', 'failed', 'suppressed', 'cancelled', 'deferred', 'retry'] as const) count(kind, out[kind].length);
      for (const f of out.failed) o.log.warn(`webhook call ${f.id} failed: ${f.reason}`);
      return cancelled.length + expired.length + claimed.length;
    },
  };
}
