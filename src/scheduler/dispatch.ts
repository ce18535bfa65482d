import { hashAddress } from '../consent/address-hash';
import type { CalendarPlan } from '../dsl/plan';
import type { Metrics } from '../metrics';
import type { Renderer } from '../render/types';
import type { Logger } from '../runtime/log';
import { addressProblem } from '../sending/address';
import { type BackoffOptions, retryDelayMs } from '../sending/backoff';
import { outgoingMessage, renderDataFor, subjectOverride } from '../sending/message';
import { readDispatchPause } from '../sending/pause';
import { forEachLimited } from '../sending/pool';
import { type BatchOutcomes, emptyOutcomes, settleBatch } from '../sending/settle';
import type { OutgoingMessage, SendOutcome, Transport } from '../sending/transport';
import { latestCalendarPlan } from '../storage/campaign-versions';
import type { Database } from '../storage/db';
import { type ClaimedSend, claimDueSends, loadGateFacts, loadSendContexts, markLeaseExpired } from '../storage/sends';
import { applyCaps } from './caps';
import { gate as defaultGate, type GateContext } from './gate';
import type { TickPhase } from './tick';

export interface DispatcherOptions {
  database: Database;
  transport: Transport;
  renderer: Renderer;
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
  /** Provider calls in flight at once. */
  concurrency?: number;
  random?: () => number;
  backoff?: BackoffOptions;
  metrics: Metrics;
  log: Logger;
}

const SENDS = 'almanac_sends_total';
const SENDS_HELP = 'Sends handled by the dispatcher, by outcome';
const PAUSED = 'almanac_dispatch_paused';
const PAUSED_HELP = '1 while dispatch.paused is raised (the transport reported the account paused)';

/**
 * The `dispatch` tick phase: queued sends → gate → render → transport, exactly once.
 * Each run: sends stuck in `sending` past their lease become `unknown` (never retried); if
 * `dispatch.paused` is raised nothing is claimed; otherwise one batch is claimed (SKIP LOCKED),
 * its contacts, consent and suppressions read in batch, each send gated, rendered and handed to
 * the transport with bounded concurrency, and the outcomes written one statement per kind.
 * Returns the sends it settled (including recovered ones).
 */
export function createDispatcher(o: DispatcherOptions): TickPhase {
  const gate = o.gate ?? defaultGate;
  const maxAttempts = o.maxAttempts ?? 8;
  const random = o.random ?? Math.random;
  const db = o.database.db;
  o.metrics.declare(SENDS, 'counter', SENDS_HELP);
  const count = (outcome: string, by: number) => by > 0 && o.metrics.inc(SENDS, SENDS_HELP, { outcome }, by);

  async function prepare(claimed: ClaimedSend[], now: Date, out: BatchOutcomes): Promise<OutgoingMessage[]> {
    const contexts = await loadSendContexts(db, claimed.map((s) => s.id));
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
    const calendar = ((await latestCalendarPlan(db)) as CalendarPlan | null) ?? undefined;
    const passed: ClaimedSend[] = [];
    for (const send of claimed) {
      const ctx = contexts.get(send.id);
      if (!ctx) {
        out.failed.push({ id: send.id, reason: 'contact not found' });
        continue;
      }
      const consent = facts.consent.get(`${send.contactId}:${send.purpose}`);
      const hash = hashOf.get(send.id);
      const context: GateContext = {
        contact: { email: ctx.email, timezone: ctx.timezone, locale: ctx.locale },
        consent: consent === undefined ? 'none' : consent ? 'granted' : 'withdrawn',
        ...(hash !== undefined && facts.suppressions.has(hash) ? { suppression: facts.suppressions.get(hash) } : {}),
        ...(calendar ? { calendar } : {}),
      };
      const decision = gate(send, context, now);
      if (decision.action === 'fail') out.failed.push({ id: send.id, reason: decision.reason });
      else if (decision.action === 'suppress') out.suppressed.push({ id: send.id, reason: decision.reason });
      else if (decision.action === 'defer') out.deferred.push({ id: send.id, until: decision.until, reason: decision.reason });
      else passed.push(send);
    }
    const ready: OutgoingMessage[] = [];
    for (const send of await applyCaps(o.database, passed, calendar, now, out)) {
      const ctx = contexts.get(send.id)!;
      const subject = subjectOverride(send);
      const rendered = o.renderer.render(send.template, renderDataFor(send, ctx), subject === undefined ? {} : { subject });
      if (!rendered.ok) out.failed.push({ id: send.id, reason: `render failed: ${rendered.message}` });
      else ready.push(outgoingMessage(send, ctx.email as string, rendered, o, now));
    }
    return ready;
  }

  function record(send: ClaimedSend, outcome: SendOutcome, now: Date, out: BatchOutcomes): void {
    const error = outcome.status === 'sent' ? null : outcome.error;
    out.attempts.push({ sendId: send.id, attempt: send.attempts, outcome: outcome.status, error, startedAt: now, finishedAt: now });
    if (outcome.status === 'sent') out.sent.push({ id: send.id, providerMessageId: outcome.providerMessageId });
    else if (outcome.status === 'failed') out.failed.push({ id: send.id, reason: `rejected by ${o.transport.name}`, error: outcome.error });
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

  async function call(message: OutgoingMessage): Promise<SendOutcome> {
    try {
      return await o.transport.send(message);
    } catch (err) {
      return { status: 'retry', error: `${o.transport.name} threw: ${(err as Error)?.message ?? String(err)}` };
    }
  }

  return {
    name: 'dispatch',
    async run(now: Date): Promise<number> {
      const recovered = await markLeaseExpired(db, now);
      if (recovered > 0) o.log.warn('sends left in sending past their lease marked unknown', { count: recovered });
      count('unknown', recovered);
      const pause = await readDispatchPause(db);
      o.metrics.set(PAUSED, PAUSED_HELP, pause ? 1 : 0);
      if (pause) {
        o.log.warn('dispatch paused: claiming nothing until dispatch.paused is cleared', { ...pause });
        return recovered;
      }
      const claimed = await claimDueSends(db, { now, limit: o.batchSize, leaseMs: o.leaseMs });
      if (claimed.length === 0) return recovered;
      const out = emptyOutcomes();
      const ready = await prepare(claimed, now, out);
      const byId = new Map(claimed.map((s) => [s.id, s]));
      const notStarted = await forEachLimited(
        ready,
        o.concurrency ?? 8,
        async (message) => record(byId.get(message.sendId) as ClaimedSend, await call(message), now, out),
        () => out.pause !== undefined,
      );
      out.released.push(...notStarted.map((m) => m.sendId));
      await settleBatch(o.database, out, now);
      if (out.pause) {
        o.metrics.set(PAUSED, PAUSED_HELP, 1);
        o.log.error(`dispatch paused by ${o.transport.name}: ${out.pause.reason}`);
      }
      for (const kind of ['sent', 'failed', 'suppressed', 'deferred', 'retry', 'paused'] as const) count(kind, out[kind].length);
      return recovered + claimed.length - out.released.length;
    },
  };
}
