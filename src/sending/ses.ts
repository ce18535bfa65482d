import { type MessageTag, SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { buildMime } from '../render/mime';
import type { OutgoingMessage, SendOutcome, Transport } from './transport';

export interface SesTransportOptions {
  region: string;
  /** A stand-in such as aws-ses-v2-local; unset → the region's SES endpoint. */
  endpoint?: string;
  /** Unset → the SDK's default credential chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  configurationSet?: string;
  /** The message's MIME bytes; default `buildMime` (src/sending/raw-message.ts), as the outbox stores them. */
  mime?: (message: OutgoingMessage) => Promise<Buffer>;
  /** Per request; kept well inside the dispatcher's lease so a hung call cannot outlive a claim. */
  requestTimeoutMs?: number;
}

export interface SesTransport extends Transport {
  /** Release the client's sockets (process shutdown). */
  close(): void;
}

/**
 * Amazon SES over `SendRawEmail`, one SDK client per transport (its connection pool is reused by
 * every send). The SDK's own retries are off (`maxAttempts: 1`): the dispatcher owns retrying,
 * with backoff and jitter on its clock, attempts recorded per send and tokens taken from the
 * shared rate limit; a hidden SDK retry would spend the rate twice and sleep inside a claim.
 * Every message carries the send id, campaign and template as `EmailTags`, which SES puts on
 * its delivery, bounce and complaint notifications so they find their send.
 */
export function createSesTransport(o: SesTransportOptions): SesTransport {
  const client = new SESClient({
    region: o.region,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: o.requestTimeoutMs ?? 10_000 },
  });
  const mime = o.mime ?? ((message: OutgoingMessage) => buildMime(message));
  return {
    name: 'ses',
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      const data = await mime(message);
      try {
        const out = await client.send(
          new SendRawEmailCommand({
            RawMessage: { Data: data },
            Destinations: [message.to],
            ...(o.configurationSet ? { ConfigurationSetName: o.configurationSet } : {}),
            Tags: sesTags(message.tags),
          }),
        );
        if (!out.MessageId) return { status: 'retry', error: 'SES answered without a MessageId' };
        return { status: 'sent', providerMessageId: out.MessageId };
      } catch (err) {
        return sesOutcome(err);
      }
    },
    close: () => client.destroy(),
  };
}

/**
 * SES tag names and values allow only ASCII letters, digits, `_` and `-`, at most 256
 * characters (API reference, MessageTag); anything else becomes `_`, so a template named
 * `spring/sale` still tags as `spring_sale` rather than failing the send.
 */
export function sesTags(tags: Record<string, string>): MessageTag[] {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) || '_';
  return Object.entries(tags).map(([name, value]) => ({ Name: clean(name), Value: clean(value) }));
}

const PAUSED = new Set(['AccountSendingPausedException', 'ConfigurationSetSendingPausedException']);
/**
 * Wrong for every message, not for this one: bad credentials, a missing configuration set.
 * Failing them would burn the whole queue; pausing keeps it until an operator fixes the set-up.
 */
const MISCONFIGURED = new Set([
  'ConfigurationSetDoesNotExist',
  'ConfigurationSetDoesNotExistException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AccessDenied',
  'AccessDeniedException',
]);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled']);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * An SES error as the dispatcher's outcome: throttling, 5xx and failures to connect are
 * transient → `retry`; no answer after the request may have gone out (request timeout, reset)
 * → `unknown`, never retried (it may have been sent); an account or configuration set that cannot
 * send → `paused`; any other 4xx (`MessageRejected`, `MailFromDomainNotVerifiedException`,
 * invalid parameters) is about this message → `failed`, never retried. SES reports an exhausted
 * daily quota as `Throttling` too, but retrying it for hours would only fail the queue: paused.
 */
export function sesOutcome(err: unknown): SendOutcome {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? 'Error';
  const text = `${name}: ${firstLine(e.message ?? String(err))}`;
  const status = e.$metadata?.httpStatusCode;
  if (PAUSED.has(name) || MISCONFIGURED.has(name) || /daily message quota/i.test(e.message ?? '')) {
    return { status: 'paused', error: text };
  }
  if (status === undefined && !certainlyUnsent(e)) return { status: 'unknown', error: text };
  if (THROTTLED.has(name) || status === undefined || status === 429 || status >= 500) {
    const retryAfterMs = retryAfter(e.$response?.headers);
    return { status: 'retry', error: text, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { status: 'failed', error: text };
}

/**
 * With no HTTP answer, only a failure to connect proves SES never saw the request (refused,
 * unresolvable, unreachable, connect timeout): that is safe to retry. Anything later (request
 * timeout, reset, hang-up) may have reached SES.
 */
function certainlyUnsent(e: SdkError & { code?: string }): boolean {
  if (e.code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(e.code)) return true;
  return /connect(ion)? (timed out|refused)|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/i.test(`${e.name ?? ''} ${e.message ?? ''}`);
}

/** `Retry-After: <seconds>` or `x-amz-retry-after: <ms>`, when the answer carried one. */
function retryAfter(headers: Record<string, string | undefined> | undefined): number | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    const n = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < 0) continue;
    if (key.toLowerCase() === 'retry-after') return Math.round(n * 1000);
    if (key.toLowerCase() === 'x-amz-retry-after') return Math.round(n);
  }
  return undefined;
}

const firstLine = (s: string) => s.split('\n')[0] ?? s;
