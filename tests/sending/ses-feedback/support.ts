import { createHash, createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll } from 'vitest';
import { createApp } from '../../../src/http/app';
import type { SesFeedbackDeps } from '../../../src/http/webhooks-ses';
import { Metrics } from '../../../src/metrics';
import type { SnsHttp } from '../../../src/sending/feedback/ports';
import type { SnsEnvelope } from '../../../src/sending/feedback/sns-envelope';
import { stringToSign } from '../../../src/sending/feedback/string-to-sign';
import { cachedSnsCertificates } from '../../../src/sending/sns-certificates';
import type { Database } from '../../../src/storage/db';
import { rowsOf } from '../../../src/storage/sql-values';

/** Shared set-up of the SES feedback tests: a test signing certificate, a fake SNS host, signed messages. */
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sns/${name}`, import.meta.url), 'utf8');
export const CERT_PEM = fixture('signing-cert.pem');
export const KEY_PEM = fixture('signing-key.pem');
export const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem';
export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-feedback';
export const SUPPRESSION_KEY = 'test-suppression-key';
export const NOW = new Date('2026-11-24T10:00:00Z');

/** A fake SNS host: serves the test certificate at CERT_URL, 200 to anything else, and records every request. */
export function fakeSns(certificates: Record<string, string> = { [CERT_URL]: CERT_PEM }) {
  const calls: string[] = [];
  const http: SnsHttp = {
    async get(url) {
      calls.push(url.href);
      const cert = certificates[url.href];
      if (cert !== undefined) return { status: 200, body: cert };
      return { status: 200, body: '<ConfirmSubscriptionResponse/>' };
    },
  };
  return { http, calls };
}

export const cacheFileName = (url: string) => `${createHash('sha256').update(url).digest('hex')}.pem`;

const cacheDirs: string[] = [];
afterAll(() => {
  for (const dir of cacheDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh certificate cache directory (removed after the file's tests), optionally pre-seeded. */
export function newCacheDir(options: { seed?: Record<string, string> } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'almanac-sns-'));
  cacheDirs.push(dir);
  for (const [url, pem] of Object.entries(options.seed ?? {})) writeFileSync(join(dir, cacheFileName(url)), pem);
  return dir;
}

export interface SesAppOptions {
  topicArns?: string[];
  maxAgeSeconds?: number;
  /** Certificate cache directory (default: a fresh, empty one). */
  cacheDir?: string;
  now?: () => Date;
  transientBounces?: { limit: number; windowMs: number };
}

/** The real app with the SES route wired to a fake SNS host. */
export function sesApp(database: Database, o: SesAppOptions = {}) {
  const sns = fakeSns();
  const cacheDir = o.cacheDir ?? newCacheDir();
  const sesFeedback: SesFeedbackDeps = {
    trust: {
      topicArns: o.topicArns ?? [TOPIC],
      ...(o.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: o.maxAgeSeconds }),
      certificates: cachedSnsCertificates({ dir: cacheDir, http: sns.http }),
    },
    http: sns.http,
    suppressionKey: SUPPRESSION_KEY,
    transientBounces: o.transientBounces ?? { limit: 3, windowMs: 7 * 86_400_000 },
  };
  const logged: string[] = [];
  const app = createApp({
    database,
    metrics: new Metrics(),
    bodyLimitBytes: 1_048_576,
    log: (m, err) => logged.push(`${m}: ${String(err)}`),
    sesFeedback,
    now: o.now ?? (() => NOW),
  });
  return { app, calls: sns.calls, cacheDir, logged };
}

let counter = 0;
export const messageId = () => `2c3e1f00-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

type Unsigned = Omit<SnsEnvelope, 'Signature' | 'SignatureVersion'> & { SignatureVersion?: '1' | '2' };

/** Sign an SNS document with the test key (or `key`), as SNS does, and return it as its JSON body. */
export function signed(e: Unsigned, o: { key?: string; version?: '1' | '2' } = {}): SnsEnvelope {
  const version = o.version ?? e.SignatureVersion ?? '2';
  const unsigned = { ...e, SignatureVersion: version, Signature: '' } as SnsEnvelope;
  const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(stringToSign(unsigned), 'utf8');
  return { ...unsigned, Signature: signer.sign(o.key ?? KEY_PEM, 'base64') };
}

/** A signed Notification carrying `message` (an SES notification object, or a raw string). */
export function notification(message: unknown, o: Partial<Unsigned> & { key?: string; version?: '1' | '2' } = {}): SnsEnvelope {
  const { key, version, ...fields } = o;
  return signed(
    {
      Type: 'Notification',
      MessageId: messageId(),
      TopicArn: TOPIC,
      Message: typeof message === 'string' ? message : JSON.stringify(message),
      Timestamp: NOW.toISOString(),
      SigningCertURL: CERT_URL,
      ...fields,
    },
    { ...(key ? { key } : {}), ...(version ? { version } : {}) },
  );
}

export const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

export interface MailRef {
  messageId?: string;
  sendId?: number;
  /** Event publishing (configuration set) form: tags and `eventType`; else an identity notification. */
  eventPublishing?: boolean;
}

function mail(to: string, ref: MailRef) {
  return {
    timestamp: '2026-11-24T09:59:00.000Z',
    messageId: ref.messageId ?? `0100019a-ses-${++counter}`,
    source: 'news@shop.example',
    destination: [to],
    ...(ref.eventPublishing && ref.sendId !== undefined
      ? { tags: { send_id: [String(ref.sendId)], campaign: ['welcome'], template: ['hello'], 'ses:configuration-set': ['almanac'] } }
      : {}),
  };
}
const typeField = (type: string, ref: MailRef) => (ref.eventPublishing ? { eventType: type } : { notificationType: type });

export const bounce = (to: string, bounceType: 'Permanent' | 'Transient', ref: MailRef = {}) => ({
  ...typeField('Bounce', ref),
  bounce: {
    bounceType,
    bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
    bouncedRecipients: [{ emailAddress: to, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    timestamp: '2026-11-24T09:59:30.000Z',
    feedbackId: `fb-${++counter}`,
  },
  mail: mail(to, ref),
});

export const complaint = (to: string, ref: MailRef = {}) => ({
  ...typeField('Complaint', ref),
  complaint: {
    complainedRecipients: [{ emailAddress: to }],
    timestamp: '2026-11-24T09:59:40.000Z',
    feedbackId: `fb-${++counter}`,
    complaintFeedbackType: 'abuse',
  },
  mail: mail(to, ref),
});

export const delivery = (to: string, ref: MailRef = {}) => ({
  ...typeField('Delivery', ref),
  delivery: { timestamp: '2026-11-24T09:59:10.000Z', processingTimeMillis: 512, recipients: [to], smtpResponse: '250 ok' },
  mail: mail(to, ref),
});

/** Rows of every table an SNS message may write. */
export async function counts(database: Database) {
  const r = await database.db.execute(sql`select
    (select count(*) from events)::int as events, (select count(*) from consent_records)::int as consent,
    (select count(*) from suppressions)::int as suppressions, (select count(*) from transient_bounces)::int as transient,
    (select count(*) from webhook_receipts)::int as receipts, (select count(*) from contacts)::int as contacts`);
  return rowsOf<{ events: number; consent: number; suppressions: number; transient: number; receipts: number; contacts: number }>(r)[0]!;
}
