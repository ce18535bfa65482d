import { z } from 'zod';

/**
 * The JSON document Amazon SNS POSTs to an HTTP(S) subscription, as far as Almanac reads it.
 * Parsed, not yet trusted: only `verifySnsMessage` (./verify-sns.ts) turns one into a
 * `VerifiedSnsMessage`. Every field the signature covers is a string; SNS sends no others that
 * matter here (`UnsubscribeURL`, `MessageAttributes` are not signed and not read).
 */
export type SnsType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface SnsEnvelope {
  Type: SnsType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  /** SubscriptionConfirmation and UnsubscribeConfirmation only. */
  SubscribeURL?: string;
  Token?: string;
}

const text = z.string().min(1).max(1_000_000);
const envelopeSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(1024),
  Message: z.string().max(1_000_000),
  Timestamp: z.iso.datetime({ offset: true }),
  SignatureVersion: z.enum(['1', '2'], { error: 'expected SignatureVersion 1 or 2' }),
  Signature: z.string().regex(/^[A-Za-z0-9+/=\s]+$/, 'expected base64'),
  SigningCertURL: text,
  Subject: z.string().max(1000).nullish(),
  SubscribeURL: text.optional(),
  Token: text.optional(),
});

export type EnvelopeResult = { ok: true; envelope: SnsEnvelope } | { ok: false; problem: string };

/** Read an SNS document (already JSON-parsed); a missing or odd field is named in `problem`. */
export function parseSnsEnvelope(body: unknown): EnvelopeResult {
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    return { ok: false, problem: `not an Amazon SNS message: ${problem}` };
  }
  const e = parsed.data;
  if (e.Type !== 'Notification' && (e.SubscribeURL === undefined || e.Token === undefined)) {
    return { ok: false, problem: `not an Amazon SNS message: ${e.Type} without SubscribeURL and Token` };
  }
  const { Subject, ...rest } = e;
  // `"Subject": null` is how some senders say "no subject": the same as leaving it out.
  return { ok: true, envelope: { ...rest, ...(typeof Subject === 'string' ? { Subject } : {}) } };
}
