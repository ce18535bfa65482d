import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../helpers/db';
import {
  CERT_PEM,
  CERT_URL,
  NOW,
  TOPIC,
  bounce,
  cacheFileName,
  counts,
  messageId,
  newCacheDir,
  notification,
  post,
  sesApp,
  signed,
} from './support';

const t = useTestDatabase('ses_sns_verify');
beforeEach(async () => {
  await t.database.db.execute(sql`truncate contacts, suppressions, transient_bounces, webhook_receipts, events restart identity cascade`);
});

const confirmation = (subscribeUrl: string, o: { type?: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation' } = {}) =>
  signed({
    Type: o.type ?? 'SubscriptionConfirmation',
    MessageId: messageId(),
    TopicArn: TOPIC,
    Message: `You have chosen to subscribe to the topic ${TOPIC}.`,
    Timestamp: NOW.toISOString(),
    SigningCertURL: CERT_URL,
    SubscribeURL: subscribeUrl,
    Token: '2336412f37fb687f5d51e6e2425dacbba8cea0b5f6d39e4e9b9eb1e5f5e1',
  });
const GOOD_SUBSCRIBE = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37fb`;

describe('signed by SNS', () => {
  it.each(['1', '2'] as const)('accepts a message signed with SignatureVersion %s', async (version) => {
    const { app, calls } = sesApp(t.database);
    const res = await app.request('/webhooks/ses', post(notification(bounce('ada@example.com', 'Permanent'), { version })));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'bounce', duplicate: false, suppressed: 1 });
    expect(calls).toEqual([CERT_URL]);
    expect((await counts(t.database)).receipts).toBe(1);
  });

  it('acts once on a replayed MessageId, even several at once', async () => {
    const { app } = sesApp(t.database);
    const body = notification(bounce('ada@example.com', 'Transient'));
    const first = await app.request('/webhooks/ses', post(body));
    expect(first.status).toBe(200);
    const again = await Promise.all([1, 2, 3].map(() => app.request('/webhooks/ses', post(body))));
    for (const res of again) {
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ duplicate: true });
    }
    expect(await counts(t.database)).toMatchObject({ receipts: 1, transient: 1, suppressions: 0 });
  });

  it('confirms a subscription by fetching its SubscribeURL, once', async () => {
    const { app, calls } = sesApp(t.database);
    const body = confirmation(GOOD_SUBSCRIBE);
    const res = await app.request('/webhooks/ses', post(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ confirmed: true, topic: TOPIC });
    expect(calls).toEqual([CERT_URL, GOOD_SUBSCRIBE]);
    expect(await (await app.request('/webhooks/ses', post(body))).json()).toEqual({ duplicate: true });
    expect(calls).toHaveLength(2);
  });

  it('records an UnsubscribeConfirmation and fetches nothing for it', async () => {
    const { app, calls } = sesApp(t.database, { cacheDir: newCacheDir({ seed: { [CERT_URL]: CERT_PEM } }) });
    const res = await app.request('/webhooks/ses', post(confirmation(GOOD_SUBSCRIBE, { type: 'UnsubscribeConfirmation' })));
    expect(await res.json()).toEqual({ unsubscribed: true, topic: TOPIC });
    expect(calls).toEqual([]);
  });

  it('answers 200 to a signed message that is not an SES notification, recording nothing', async () => {
    const { app } = sesApp(t.database);
    const res = await app.request('/webhooks/ses', post(notification('Successfully validated SNS topic for Amazon SES event publishing.')));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ignored: true });
    const open = await app.request('/webhooks/ses', post(notification({ eventType: 'Open', mail: { messageId: 'm' }, open: {} })));
    expect(await open.json()).toMatchObject({ ignored: true, reason: 'SES Open notifications are not acted on' });
    expect(await counts(t.database)).toMatchObject({ receipts: 0, events: 0 });
  });
});

describe('forgeries: 4xx, nothing recorded, no request to any host', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const message = bounce('ada@example.com', 'Permanent');
  const tampered = () => {
    const good = notification(message);
    return { ...good, Message: JSON.stringify(bounce('grace@example.com', 'Permanent')) };
  };
  const cases: Array<[string, () => unknown, number, RegExp]> = [
    [
      'a certificate on a foreign host',
      () => notification(message, { SigningCertURL: 'https://certs.evil.com/SimpleNotificationService-1.pem' }),
      401,
      /host certs.evil.com/,
    ],
    ['an http certificate URL', () => notification(message, { SigningCertURL: CERT_URL.replace('https:', 'http:') }), 401, /must be https/],
    [
      'sns.us-east-1.amazonaws.com.evil.com',
      () => notification(message, { SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.com/c.pem' }),
      401,
      /is not sns.<region>/,
    ],
    [
      'user-info in the certificate URL',
      () => notification(message, { SigningCertURL: 'https://sns.us-east-1.amazonaws.com@evil.com/c.pem' }),
      401,
      /user-info/,
    ],
    [
      'user-info before an SNS host',
      () => notification(message, { SigningCertURL: 'https://evil.com:x@sns.us-east-1.amazonaws.com/c.pem' }),
      401,
      /user-info/,
    ],
    [
      'a port',
      () => notification(message, { SigningCertURL: 'https://sns.us-east-1.amazonaws.com:8443/c.pem' }),
      401,
      /default https port/,
    ],
    ['an IP literal', () => notification(message, { SigningCertURL: 'https://54.239.0.1/c.pem' }), 401, /host 54.239.0.1/],
    [
      'a wrong TopicArn',
      () => notification(message, { TopicArn: 'arn:aws:sns:us-east-1:999999999999:ses-feedback' }),
      401,
      /not in SNS_TOPIC_ARNS/,
    ],
    ['a TopicArn that only starts like ours', () => notification(message, { TopicArn: `${TOPIC}-other` }), 401, /not in SNS_TOPIC_ARNS/],
    ['a signature by another key', () => notification(message, { key: otherKey }), 401, /signature does not match/],
    ['a tampered Message', tampered, 401, /signature does not match/],
    ['a SubscribeURL to loopback', () => confirmation('https://127.0.0.1/?Action=ConfirmSubscription'), 401, /host 127.0.0.1/],
    ['a SubscribeURL to the metadata service', () => confirmation('http://169.254.169.254/latest/meta-data/'), 401, /must be https/],
    ['a SubscribeURL to a foreign host', () => confirmation('https://evil.com/?Action=ConfirmSubscription'), 401, /host evil.com/],
    [
      'a SubscribeURL for another SNS action',
      () => confirmation('https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe'),
      401,
      /not a ConfirmSubscription/,
    ],
    ['not an SNS document', () => ({ hello: 'world' }), 400, /not an Amazon SNS message/],
    ['an unknown SignatureVersion', () => ({ ...notification(message), SignatureVersion: '3' }), 400, /SignatureVersion 1 or 2/],
    ['not JSON', () => 'Type=Notification', 400, /./],
  ];

  it.each(cases)('refuses %s', async (_name, make, status, why) => {
    // The real certificate is cached, so even a signature check needs no request: any call is a leak.
    const { app, calls } = sesApp(t.database, { cacheDir: newCacheDir({ seed: { [CERT_URL]: CERT_PEM } }) });
    const res = await app.request('/webhooks/ses', post(make()));
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(why);
    expect(calls).toEqual([]);
    expect(await counts(t.database)).toEqual({ events: 0, consent: 0, suppressions: 0, transient: 0, receipts: 0, contacts: 0 });
  });

  it('refuses everything, recording nothing, while SNS_TOPIC_ARNS is unset', async () => {
    const { app, calls } = sesApp(t.database, { topicArns: [] });
    const res = await app.request('/webhooks/ses', post(notification(message)));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('SNS_TOPIC_ARNS is not set');
    expect(calls).toEqual([]);
    expect((await counts(t.database)).receipts).toBe(0);
  });
});

describe('SNS_MAX_AGE', () => {
  it('refuses a message older than the limit and accepts a fresh one', async () => {
    const { app, calls } = sesApp(t.database, { maxAgeSeconds: 300 });
    const old = notification(bounce('ada@example.com', 'Permanent'), { Timestamp: new Date(NOW.getTime() - 301_000).toISOString() });
    const res = await app.request('/webhooks/ses', post(old));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('older than SNS_MAX_AGE');
    expect(calls).toEqual([]);
    const fresh = notification(bounce('ada@example.com', 'Permanent'), { Timestamp: new Date(NOW.getTime() - 299_000).toISOString() });
    expect((await app.request('/webhooks/ses', post(fresh))).status).toBe(200);
  });

  it('is off by default: a day-old message is accepted', async () => {
    const { app } = sesApp(t.database);
    const old = notification(bounce('ada@example.com', 'Permanent'), { Timestamp: new Date(NOW.getTime() - 86_400_000).toISOString() });
    expect((await app.request('/webhooks/ses', post(old))).status).toBe(200);
  });
});

describe('certificate cache', () => {
  it('uses a pre-seeded file named by the SHA-256 of the URL, with no fetch', async () => {
    const cacheDir = newCacheDir({ seed: { [CERT_URL]: CERT_PEM } });
    const { app, calls } = sesApp(t.database, { cacheDir });
    expect((await app.request('/webhooks/ses', post(notification(bounce('ada@example.com', 'Permanent'))))).status).toBe(200);
    expect(calls).toEqual([]);
  });

  it('fetches a certificate once, stores it on disk, and the next process reads it from there', async () => {
    const cacheDir = newCacheDir();
    const first = sesApp(t.database, { cacheDir });
    for (const to of ['a@example.com', 'b@example.com']) {
      expect((await first.app.request('/webhooks/ses', post(notification(bounce(to, 'Permanent'))))).status).toBe(200);
    }
    expect(first.calls).toEqual([CERT_URL]);
    const file = join(cacheDir, cacheFileName(CERT_URL));
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(CERT_PEM);
    const second = sesApp(t.database, { cacheDir });
    expect((await second.app.request('/webhooks/ses', post(notification(bounce('c@example.com', 'Permanent'))))).status).toBe(200);
    expect(second.calls).toEqual([]);
  });
});
