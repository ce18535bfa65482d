import { containsOddCharacters } from '../../lib/odd-characters';
import { z } from 'zod';

/**
 * What an SES notification (the `Message` of an SNS Notification, a JSON string) says, in both
 * forms SES publishes: identity notifications (`notificationType`: Bounce, Complaint, Delivery)
 * and configuration-set event publishing (`eventType`: Bounce, Complaint, Delivery, Reject,
 * Rendering Failure, and Send, Open, Click, DeliveryDelay, Subscription, which Almanac ignores).
 * `mail.tags` (event publishing only) carries what src/sending/ses.ts tagged the message with:
 * `send_id`, `campaign`, `template`, each as an array of one string; identity notifications
 * name the send only through `X-Almanac-Send-Id` in `mail.headers` (when the identity includes
 * original headers) or through SES's message id stored on the send.
 */
export interface SesMail {
  /** SES's message id: what the transport stored as the send's provider message id. */
  messageId: string;
  sendId?: number;
  campaign?: string;
  template?: string;
}

export interface BouncedRecipient {
  email: string;
  status?: string;
  diagnostic?: string;
}

export type SesFeedback =
  | {
      kind: 'bounce';
      bounceType: 'Permanent' | 'Transient' | 'Undetermined';
      subType: string;
      recipients: BouncedRecipient[];
      at: Date;
      mail: SesMail;
    }
  | { kind: 'complaint'; recipients: string[]; feedbackType?: string; at: Date; mail: SesMail }
  | { kind: 'delivery'; recipients: string[]; at: Date; mail: SesMail }
  | { kind: 'reject'; reason: string; mail: SesMail }
  | { kind: 'rendering_failure'; reason: string; mail: SesMail }
  | { kind: 'ignored'; reason: string };

export type SesNotificationResult = { ok: true; feedback: SesFeedback } | { ok: false; problem: string };

const email = z.string().min(3).max(320);
const when = z.iso.datetime({ offset: true });
const tag = z.array(z.string()).optional();
const mail = z.object({
  messageId: z.string().min(1).max(200),
  tags: z.record(z.string(), tag).optional(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
const bounce = z.object({
  bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
  bounceSubType: z.string().max(100).default(''),
  bouncedRecipients: z
    .array(z.object({ emailAddress: email, status: z.string().max(50).optional(), diagnosticCode: z.string().max(2000).optional() }))
    .min(1),
  timestamp: when,
});
const complaint = z.object({
  complainedRecipients: z.array(z.object({ emailAddress: email })).min(1),
  complaintFeedbackType: z.string().max(100).optional(),
  timestamp: when,
});
const delivery = z.object({ recipients: z.array(email).min(1), timestamp: when });
const reject = z.object({ reason: z.string().max(2000).default('rejected by SES') });
const renderingFailure = z.object({ errorMessage: z.string().max(2000).default(''), templateName: z.string().max(200).optional() });

const notification = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Bounce'), bounce, mail }),
  z.object({ type: z.literal('Complaint'), complaint, mail }),
  z.object({ type: z.literal('Delivery'), delivery, mail }),
  z.object({ type: z.literal('Reject'), reject, mail }),
  z.object({ type: z.literal('Rendering Failure'), failure: renderingFailure, mail }),
]);
const handled = new Set(['Bounce', 'Complaint', 'Delivery', 'Reject', 'Rendering Failure']);

function mailOf(m: z.infer<typeof mail>): SesMail {
  const first = (name: string) => m.tags?.[name]?.[0];
  // Identity notifications carry no tags; with "include original headers" on they carry ours.
  const header = m.headers?.find((h) => h.name.toLowerCase() === 'x-almanac-send-id')?.value;
  const sendId = Number(first('send_id') ?? header);
  return {
    messageId: m.messageId,
    ...(Number.isSafeInteger(sendId) && sendId > 0 ? { sendId } : {}),
    ...(first('campaign') === undefined ? {} : { campaign: first('campaign') }),
    ...(first('template') === undefined ? {} : { template: first('template') }),
  };
}

/**
 * Read a verified SNS `Message`. A message that is not an SES notification at all (the text SES
 * sends when a topic is set up as an event destination) or one of the types Almanac does not act
 * on is `ignored`; a Bounce, Complaint, Delivery, Reject or Rendering Failure missing its fields
 * is a `problem` (the route answers 400).
 */
export function parseSesNotification(message: string): SesNotificationResult {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return { ok: true, feedback: { kind: 'ignored', reason: 'not an SES notification (not JSON)' } };
  }
  const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  // Nothing PostgreSQL cannot store gets further (an address ending in \u0000 was a 500).
  if (containsOddCharacters(body)) return { ok: false, problem: 'SES notification: contains a NUL character or a lone UTF-16 surrogate' };
  const type = record.eventType ?? record.notificationType;
  if (typeof type !== 'string') return { ok: true, feedback: { kind: 'ignored', reason: 'not an SES notification' } };
  if (!handled.has(type)) return { ok: true, feedback: { kind: 'ignored', reason: `SES ${type} notifications are not acted on` } };
  const parsed = notification.safeParse({ ...record, type });
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ok: false, problem: `SES ${type} notification: ${problem}` };
  }
  const n = parsed.data;
  const m = mailOf(n.mail);
  const lower = (s: string) => s.trim().toLowerCase();
  switch (n.type) {
    case 'Bounce':
      return {
        ok: true,
        feedback: {
          kind: 'bounce',
          bounceType: n.bounce.bounceType,
          subType: n.bounce.bounceSubType,
          recipients: n.bounce.bouncedRecipients.map((r) => ({
            email: lower(r.emailAddress),
            ...(r.status === undefined ? {} : { status: r.status }),
            ...(r.diagnosticCode === undefined ? {} : { diagnostic: r.diagnosticCode }),
          })),
          at: new Date(n.bounce.timestamp),
          mail: m,
        },
      };
    case 'Complaint':
      return {
        ok: true,
        feedback: {
          kind: 'complaint',
          recipients: n.complaint.complainedRecipients.map((r) => lower(r.emailAddress)),
          ...(n.complaint.complaintFeedbackType === undefined ? {} : { feedbackType: n.complaint.complaintFeedbackType }),
          at: new Date(n.complaint.timestamp),
          mail: m,
        },
      };
    case 'Delivery':
      return {
        ok: true,
        feedback: { kind: 'delivery', recipients: n.delivery.recipients.map(lower), at: new Date(n.delivery.timestamp), mail: m },
      };
    case 'Reject':
      return { ok: true, feedback: { kind: 'reject', reason: `rejected by SES: ${n.reject.reason}`, mail: m } };
    case 'Rendering Failure':
      return { ok: true, feedback: { kind: 'rendering_failure', reason: `SES rendering failure: ${n.failure.errorMessage}`, mail: m } };
  }
}
