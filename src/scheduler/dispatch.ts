import { hashAddress } from '../consent/address-hash';
import type { Metrics } from '../metrics';
import { emptyLinkWarnings } from '../render/empty-links';
import { applyTransforms, listUnsubscribe, type MessageTransform, messageTransforms } from '../render/transforms';
import { preferencesUrl } from '../consent/preferences-token';
import { unsubscribeUrl } from '../consent/unsubscribe-token';
import { confirmUrlOfTrigger } from '../consent/confirm-token';
import { trackMessages } from '../tracking/track-messages';
import type { Renderer, TemplateSource } from '../render/types';
import { rendererNow } from '../render/stored-templates';
import { viewInBrowserUrl } from '../render/view-token';
import type { Logger } from '../lib/log';
import { addressProblem } from '../contacts/address';
import { type BackoffOptions, retryDelayMs } from '../sending/backoff';
import { cartProductIds, outgoingMessage, renderDataFor, subjectOverride } from '../render/message';
import { readDispatchPauses } from '../storage/dispatch-pause';
import { forEachLimited } from '../lib/pool';
import type { RateLimiter } from '../sending/rate-limit';
import { type BatchOutcomes, emptyOutcomes, settleBatch } from './settle';
import type { OutgoingMessage, SendOutcome, Transport } from '../sending/transport';
import { latestCalendarPlan } from '../storage/campaign-versions';
import type { Database } from '../storage/db';
import { recommendationsFor } from '../storage/recommendations';
import { wakeRunsAwaitingSends } from '../storage/send-outcomes';
import {
  cancelSendsOfEndedRuns,
  type ClaimedSend,
  claimDueSends,
  expireLeases,
  handOver,
  loadGateFacts,
  loadSendContexts,
} from '../storage/sends';
import { applyCaps } from './caps';
import { type ComplaintGuardSettings, createComplaintGuard, defaultComplaintGuard, PAUSED, PAUSED_HELP } from './complaint-guard';
import { TRANSACTIONAL_PURPOSE } from '../dsl/plan';
import { gate as defaultGate, type GateContext } from './gate';
import type { TickPhase } from './tick';

export interface DispatcherOptions {
  database: Database;
  transport: Transport;
  /** A fixed renderer, or the applied templates (src/render/stored-templates.ts), asked once per batch. */
  renderer: Renderer | TemplateSource;
  gate?: typeof defaultGate;
  /** The From header (config), e.g. `Shop <news@shop.example>`. */
  from: string;
  replyTo?: string;
  /** HMAC key of `suppressions.address_hash` (config). */
  suppressionKey: string;
  batchSize: number;
  leaseMs: number;
  /** Provider attempts before a transiently failing send is given up as `failed` (config). */
  maxAttempts?: number;
  /** Provider calls in flight at once; default: enough for the rate limiter's rate (defaultConcurrency). */
  concurrency?: number;
  random?: () => number;
  backoff?: BackoffOptions;
  /**
   * PUBLIC_URL and LINK_SIGNING_KEY (config): without them `{{view_in_browser_url}}` and
   * `{{send.unsubscribe_url}}` render empty and no List-Unsubscribe header is set.
   */
  links?: { publicUrl: string; signingKey: string; allowedHosts?: readonly string[] };
  /** CONFIRM_TOKEN_DAYS: how long the `{{send.confirm_url}}` of a double opt-in mail stays good (default 7). */
  confirmTokenDays?: number;
  /**
   * Click and open tracking (src/tracking/track-messages.ts) of marketing mail, when `links` is
   * set: links become `/c/TOKEN` redirects and an open pixel is added. Default on; `false` (config
   * TRACKING=off) sends links as written.
   */
  tracking?: boolean;
  /** MAIL_POSTAL_ADDRESS: `{{sender.postal_address}}` in every message. */
  postalAddress?: string;
  /** UNSUBSCRIBE_MAILTO: the mailto: of List-Unsubscribe, beside the one-click URL. */
  unsubscribeMailto?: string;
  /** Post-render transforms for every message, after the per-message ones (src/render/transforms.ts). */
  transforms?: MessageTransform[];
  /** Product recommendations prepared per contact for `{{#recommend n}}` (one query per batch); 0 skips the query. Default 8. */
  recommendations?: number;
  /**
   * The provider's send rate, shared by every process (src/sending/rate-limit.ts): one token per
   * provider call. A batch waits for tokens at most half the lease; sends that could not go out
   * by then are put back as queued (no attempt counted) for the next tick.
   */
  rateLimiter?: RateLimiter;
  /**
   * The complaint-rate guard (./complaint-guard.ts; COMPLAINT_RATE_* config): checked once per
   * tick before the claim; past the line only transactional sends are claimed. Default: on, with
   * `defaultComplaintGuard`; `false` turns it off.
   */
  complaintGuard?: ComplaintGuardSettings | false;
  metrics: Metrics;
  log: Logger;
}

const SENDS = 'almanac_sends_total';
const SENDS_HELP = 'Sends handled by the dispatcher, by outcome';
const RENDER_WARNINGS = 'almanac_render_warnings_total';
const RENDER_WARNINGS_HELP = 'Messages sent with something broken in them, by kind (empty_link: an <a href=""> from missing data)';

/**
 * The `dispatch` tick phase: queued sends → gate → render → transport, exactly once.
 * Each run: sends stuck in `sending` past their lease become `unknown` (never retried); if
 * `dispatch.paused` is raised nothing is claimed; the complaint-rate guard is checked, and while
 * `dispatch.marketing_paused` is raised only transactional sends are claimed; otherwise one batch is claimed (SKIP LOCKED),
 * its contacts, consent and suppressions read in batch, each send gated, rendered and handed to
 * the transport with bounded concurrency, and the outcomes written one statement per kind.
 * Returns the sends it settled (including recovered ones).
 */
export function createDispatcher(o: DispatcherOptions): TickPhase {
  const concurrency = o.concurrency ?? defaultConcurrency(o.rateLimiter?.ratePerSecond);
  const gate = o.gate ?? defaultGate;
  const maxAttempts = o.maxAttempts ?? 8;
  const random = o.random ?? Math.random;
  const db = o.database.db;
  o.metrics.declare(SENDS, 'counter', SENDS_HELP);
  const guard =
    o.complaintGuard === false
      ? undefined
      : createComplaintGuard({ db, settings: o.complaintGuard ?? defaultComplaintGuard, from: o.from, metrics: o.metrics, log: o.log });
  const count = (outcome: string, by: number) => by > 0 && o.metrics.inc(SENDS, SENDS_HELP, { outcome }, by);

  async function prepare(claimed: ClaimedSend[], now: Date, out: BatchOutcomes): Promise<OutgoingMessage[]> {
    const contexts = await loadSendContexts(
      db,
      claimed.map((s) => s.id),
    );
    const hashOf = new Map<number, string>();
    for (const s of claimed) {
      const email = contexts.get(s.id)?.email;
      if (email && !addressProblem(email)) hashOf.set(s.id, hashAddress(email, o.suppressionKey));
    }
    const facts = await loadGateFacts(db, {
      contactIds: [...new Set(claimed.map((s) => s.contactId))],
      purposes: [...new Set(claimed.map((s) => s.purpose))],
      addressHashes: [...new Set(hashOf.values())],
    });
    const calendar = (await latestCalendarPlan(db)) ?? undefined;
    const passed: ClaimedSend[] = [];
    for (const send of claimed) {
      const ctx = contexts.get(send.id);
      if (!ctx) {
        out.failed.push({ id: send.id, reason: 'contact not found' });
        continue;
      }
      const consent = facts.consent.get(`${send.contactId}:${send.purpose}`);
      const hash = hashOf.get(send.id);
      // A `marketing` suppression (a complaint) still lets transactional mail through.
      const suppression =
        hash === undefined
          ? undefined
          : (facts.suppressions.get(hash) ?? (send.purpose === TRANSACTIONAL_PURPOSE ? undefined : facts.marketingSuppressions.get(hash)));
      const context: GateContext = {
        contact: { email: ctx.email, timezone: ctx.timezone, locale: ctx.locale },
        consent: consent ?? 'none',
        ...(suppression === undefined ? {} : { suppression }),
        ...(calendar ? { calendar } : {}),
      };
      const decision = gate(send, context, now);
      if (decision.action === 'fail') out.failed.push({ id: send.id, reason: decision.reason });
      else if (decision.action === 'suppress') out.suppressed.push({ id: send.id, reason: decision.reason });
      else if (decision.action === 'defer') out.deferred.push({ id: send.id, until: decision.until, reason: decision.reason });
      else passed.push(send);
    }
    const zones = new Map(passed.map((s) => [s.contactId, contexts.get(s.id)?.timezone ?? null]));
    // Sends the gate just held (quiet hours, blackout) still want their slot when they come back.
    const untilOf = new Map(out.deferred.map((d) => [d.id, d.until]));
    const heldNow = claimed.filter((s) => untilOf.has(s.id)).map((s) => ({ ...s, until: untilOf.get(s.id)! }));
    const approved = await applyCaps(o.database, passed, calendar, now, out, zones, heldNow);
    const recommendations = await recommendationsFor(
      db,
      approved.map((s) => ({ contactId: s.contactId, seedProductIds: cartProductIds(contexts.get(s.id)!.trigger) })),
      o.recommendations ?? 8,
    );
    const ready: Array<{ message: OutgoingMessage; campaign: string; utm?: Record<string, string>; track: boolean }> = [];
    const renderer = approved.length ? await rendererNow(o.renderer) : undefined;
    for (const send of approved) {
      const ctx = contexts.get(send.id)!;
      const subject = subjectOverride(send);
      // Marketing only: transactional mail (receipts, opt-in confirmations) carries no unsubscribe.
      const unsubscribe =
        o.links && send.purpose !== TRANSACTIONAL_PURPOSE
          ? unsubscribeUrl(o.links.publicUrl, { sendId: send.id, contactId: send.contactId, purpose: send.purpose }, o.links.signingKey)
          : undefined;
      // The double opt-in confirmation mail: a link that confirms exactly the request that triggered its run.
      const confirm = o.links
        ? confirmUrlOfTrigger(o.links.publicUrl, send.contactId, ctx.trigger, o.confirmTokenDays ?? 7, o.links.signingKey)
        : undefined;
      const data = renderDataFor(send, ctx, {
        recommendations: recommendations.get(send.contactId) ?? [],
        ...(o.links ? { viewInBrowserUrl: viewInBrowserUrl(o.links.publicUrl, send.id, o.links.signingKey) } : {}),
        ...(unsubscribe ? { unsubscribeUrl: unsubscribe } : {}),
        ...(unsubscribe && o.links ? { preferencesUrl: preferencesUrl(o.links.publicUrl, send.contactId, o.links.signingKey) } : {}),
        ...(confirm ? { confirmUrl: confirm } : {}),
        postalAddress: o.postalAddress ?? '',
      });
      const rendered = renderer!.render(send.template, data, subject === undefined ? {} : { subject });
      if (!rendered.ok) {
        out.failed.push({ id: send.id, reason: `render failed: ${rendered.message}` });
        continue;
      }
      // Sent all the same (the rest of the mail is right), but an operator should hear of a dead link.
      const warnings = emptyLinkWarnings(rendered.html);
      if (warnings.length) {
        o.metrics.inc(RENDER_WARNINGS, RENDER_WARNINGS_HELP, { kind: 'empty_link' });
        o.log.warn(`send ${send.id} (${send.campaign}, ${send.template}): ${warnings.join('; ')}`);
      }
      ready.push({
        message: applyTransforms(
          outgoingMessage(send, ctx.email as string, rendered, o, now, unsubscribe ? { unsubscribeUrl: unsubscribe } : {}),
          [...messageTransforms(rendered, o.transforms), listUnsubscribe(o.unsubscribeMailto ? { mailto: o.unsubscribeMailto } : {})],
        ),
        campaign: send.campaign,
        ...(ctx.utm ? { utm: ctx.utm } : {}),
        // Click and open tracking: marketing mail only, and only where links can be signed.
        track: o.tracking !== false && send.purpose !== TRANSACTIONAL_PURPOSE,
      });
    }
    if (!o.links || o.tracking === false) return ready.map((r) => r.message);
    return trackMessages(db, ready, o.links);
  }

  function record(send: ClaimedSend, outcome: SendOutcome, now: Date, out: BatchOutcomes): void {
    const error = outcome.status === 'sent' ? null : outcome.error;
    out.attempts.push({ sendId: send.id, attempt: send.attempts, outcome: outcome.status, error, startedAt: now, finishedAt: now });
    if (outcome.status === 'sent') out.sent.push({ id: send.id, providerMessageId: outcome.providerMessageId });
    else if (outcome.status === 'failed') out.failed.push({ id: send.id, reason: `rejected by ${o.transport.name}`, error: outcome.error });
    else if (outcome.status === 'unknown') out.unknown.push({ id: send.id, error: outcome.error });
    else if (outcome.status === 'paused') {
      out.paused.push({ id: send.id, error: outcome.error });
      out.pause ??= { reason: outcome.error, transport: o.transport.name, since: now.toISOString() };
    } else if (send.attempts >= maxAttempts) {
      out.failed.push({ id: send.id, reason: `gave up after ${send.attempts} attempts`, error: outcome.error });
    } else {
      const delay = retryDelayMs(send.attempts, random, outcome.retryAfterMs, o.backoff);
      out.retry.push({ id: send.id, notBefore: new Date(now.getTime() + delay), error: outcome.error });
    }
  }

  async function call(message: OutgoingMessage, send: ClaimedSend): Promise<SendOutcome> {
    try {
      return await o.transport.send(message, { leaseUntil: send.leaseUntil });
    } catch (err) {
      return { status: 'retry', error: `${o.transport.name} threw: ${(err as Error)?.message ?? String(err)}` };
    }
  }

  /** Whether `message` may go out now (after waiting for its token), or must wait for a later tick. */
  async function admitted(message: OutgoingMessage, deadline: Date | undefined): Promise<boolean> {
    if (!o.rateLimiter || !deadline) return true;
    try {
      return (await o.rateLimiter.acquire(1, deadline)) !== undefined;
    } catch (err) {
      o.log.error(`rate limiter failed before send ${message.sendId}; putting the rest of the batch back`, err);
      return false;
    }
  }

  return {
    name: 'dispatch',
    async run(now: Date): Promise<number> {
      const cancelled = await cancelSendsOfEndedRuns(db, { dueBy: now }, now);
      count('cancelled', cancelled.length);
      const expired = await db.transaction(async (tx) => {
        const e = await expireLeases(tx, now);
        await wakeRunsAwaitingSends(tx, e.unknown, now);
        return e;
      });
      if (expired.requeued.length)
        o.log.warn('sends whose claim expired before the provider call: queued again', { count: expired.requeued.length });
      if (expired.unknown.length)
        o.log.warn('sends whose claim expired after the provider call started: unknown', { count: expired.unknown.length });
      count('unknown', expired.unknown.length);
      count('requeued', expired.requeued.length);
      const recovered = cancelled.length + expired.requeued.length + expired.unknown.length;
      const pauses = await readDispatchPauses(db);
      const pause = pauses.account;
      o.metrics.set(PAUSED, PAUSED_HELP, pause ? 1 : 0);
      if (pause) {
        o.log.warn('dispatch paused: claiming nothing until dispatch.paused is cleared', { ...pause });
        guard?.report(pauses.marketing); // complaint-rate guard: keep its gauge true while everything is held
        return recovered;
      }
      // Complaint-rate guard: past the line (now or since an earlier tick) marketing is held —
      // only transactional sends are claimed; marketing ones stay queued as they are, no attempt counted.
      const marketingPaused = guard ? await guard.check(now, pauses.marketing) : pauses.marketing;
      const claimed = await claimDueSends(db, {
        now,
        limit: o.batchSize,
        leaseMs: o.leaseMs,
        ...(marketingPaused ? { onlyPurpose: TRANSACTIONAL_PURPOSE } : {}),
      });
      if (claimed.length === 0) return recovered;
      // Counted from the claim: the last send still starts with half the lease to spare.
      const deadline = o.rateLimiter && new Date(o.rateLimiter.now().getTime() + o.leaseMs / 2);
      const out = emptyOutcomes();
      const ready = await prepare(claimed, now, out);
      const byId = new Map(claimed.map((s) => [s.id, s]));
      let limited = false;
      const notStarted = await forEachLimited(
        ready,
        concurrency,
        async (message) => {
          const send = byId.get(message.sendId) as ClaimedSend;
          if (!(await admitted(message, deadline))) {
            limited = true;
            out.released.push(message.sendId);
          } else if (!(await handOver(db, { id: send.id, leaseUntil: send.leaseUntil, now, stamp: !o.transport.commitsWithSend }))) {
            out.cancelled.push({ id: send.id, reason: 'run ended before the send went out' });
          } else record(send, await call(message, send), now, out);
        },
        () => out.pause !== undefined || limited,
      );
      out.released.push(...notStarted.map((m) => m.sendId));
      await settleBatch(o.database, out, new Map(claimed.map((s) => [s.id, s.leaseUntil])), now);
      if (out.pause) {
        o.metrics.set(PAUSED, PAUSED_HELP, 1);
        o.log.error(`dispatch paused by ${o.transport.name}: ${out.pause.reason}`);
      }
      for (const kind of ['sent', 'failed', 'suppressed', 'cancelled', 'deferred', 'retry', 'paused', 'unknown'] as const)
        count(kind, out[kind].length);
      return recovered + claimed.length - out.released.length;
    },
  };
}

/**
 * Provider calls in flight when DispatcherOptions.concurrency is not given: enough to keep up
 * with the shared rate (SES_MAX_SEND_RATE) while each call takes up to 250 ms (SES answers in
 * 50–150 ms), so the bucket, not the pool, sets the pace: 8 at most 32/s, 125 at 500/s. Never
 * fewer than 8, never more than 200 (a connection each to the provider's endpoint).
 */
export function defaultConcurrency(ratePerSecond: number | undefined): number {
  if (ratePerSecond === undefined) return 8;
  return Math.min(200, Math.max(8, Math.ceil(ratePerSecond * 0.25)));
}
