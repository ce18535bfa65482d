import { Hono } from 'hono';
import { AppError } from '../errors';
import { applySesFeedback } from '../events/ses-feedback';
import type { SnsHttp } from '../sending/feedback/ports';
import { parseSesNotification } from '../sending/feedback/ses-notification';
import { parseSnsEnvelope } from '../sending/feedback/sns-envelope';
import { subscribeUrl } from '../sending/feedback/sns-url';
import { type SnsTrust, type VerifiedSnsMessage, verifySnsMessage } from '../sending/feedback/verify-sns';
import type { Database } from '../storage/db';
import { hasReceipt, recordReceipt } from '../storage/webhook-receipts';
import { decodeUtf8, parseJson } from './events-input';

/** What `POST /webhooks/ses` needs besides the database: SNS trust, the outbound client, the suppression rules. */
export interface SesFeedbackDeps {
  trust: SnsTrust;
  /** For SubscribeURL only (certificates come through `trust.certificates`). */
  http: SnsHttp;
  suppressionKey: string;
  transientBounces: { limit: number; windowMs: number };
}

export interface SesWebhookRoutesDeps {
  database: Database;
  /** Absent, or no SNS_TOPIC_ARNS: every message is refused (401) and nothing is recorded. */
  ses: SesFeedbackDeps | undefined;
  now: () => Date;
  jsonMaxDepth?: number;
}

/**
 * `POST /webhooks/ses`: SES bounces, complaints and deliveries over Amazon SNS. The body is the
 * SNS document; it is verified (topic allow-list, certificate host, SNS_MAX_AGE, signature v1/v2
 * over the string to sign: src/sending/feedback/verify-sns.ts) before anything in it is acted on
 * or stored: a forgery is a 401 with nothing recorded and no request made to any host but an SNS
 * one. A SubscriptionConfirmation is confirmed by fetching its SubscribeURL (an SNS host, the
 * ConfirmSubscription action, nothing else); a Notification is applied by `applySesFeedback` in
 * one transaction with its receipt, so a replayed MessageId answers 200 `{ duplicate: true }`.
 */
export function sesWebhookRoutes(deps: SesWebhookRoutesDeps) {
  const app = new Hono();
  app.post('/webhooks/ses', async (c) => {
    const ses = deps.ses;
    if (!ses || ses.trust.topicArns.length === 0) {
      throw new AppError('unauthorized', 'SNS_TOPIC_ARNS is not set, so SES notifications over SNS are not accepted');
    }
    const now = deps.now();
    const body = parseJson(decodeUtf8(new Uint8Array(await c.req.arrayBuffer())), { maxDepth: deps.jsonMaxDepth });
    const envelope = parseSnsEnvelope(body);
    if (!envelope.ok) throw new AppError('bad_request', envelope.problem);
    const verified = await verifySnsMessage(envelope.envelope, ses.trust, now);
    if (!verified.ok) {
      if (verified.kind === 'unavailable') throw new AppError('unavailable', verified.problem, { cause: verified.cause });
      throw new AppError('unauthorized', verified.problem);
    }
    const message = verified.message;
    if (message.Type === 'SubscriptionConfirmation') return c.json(await confirmSubscription(deps.database, ses.http, message));
    if (message.Type === 'UnsubscribeConfirmation') {
      const first = await recordReceipt(deps.database.db, { source: 'sns', deliveryId: message.MessageId, topic: 'unsubscribe' });
      return c.json(first ? { unsubscribed: true, topic: message.TopicArn } : { duplicate: true });
    }
    const parsed = parseSesNotification(message.Message);
    if (!parsed.ok) throw new AppError('bad_request', parsed.problem);
    if (parsed.feedback.kind === 'ignored') return c.json({ ignored: true, reason: parsed.feedback.reason });
    const result = await applySesFeedback(deps.database.db, parsed.feedback, {
      notificationId: message.MessageId,
      now,
      suppressionKey: ses.suppressionKey,
      transientBounces: ses.transientBounces,
    });
    return c.json(result.duplicate ? { duplicate: true } : { kind: parsed.feedback.kind, ...result });
  });
  return app;
}

/**
 * Confirm by GETting the SubscribeURL (checked again here; verifySnsMessage checked it before
 * the signature). The receipt is recorded after SNS accepted, so a failed confirmation is tried
 * again on SNS's retry; a replay of a confirmed one fetches nothing.
 */
async function confirmSubscription(database: Database, http: SnsHttp, m: VerifiedSnsMessage) {
  const url = subscribeUrl(m.SubscribeURL ?? '');
  if (!url.ok) throw new AppError('unauthorized', url.problem);
  const receipt = { source: 'sns', deliveryId: m.MessageId, topic: 'subscribe' };
  if (await hasReceipt(database.db, receipt)) return { duplicate: true };
  const answer = await http.get(url.url).catch((cause: unknown) => {
    throw new AppError('unavailable', `could not reach SNS to confirm the subscription to ${m.TopicArn}`, { cause });
  });
  if (answer.status !== 200) {
    throw new AppError('unavailable', `SNS answered ${answer.status} to the subscription confirmation of ${m.TopicArn}`);
  }
  await recordReceipt(database.db, receipt);
  return { confirmed: true, topic: m.TopicArn };
}
