import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { signingCertUrl, subscribeUrl } from '../../../src/sending/feedback/sns-url';

describe('which URLs an SNS message may make Almanac fetch', () => {
  it.each([
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
    'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem',
    'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem',
    'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem',
  ])('accepts the certificate at %s', (url) => {
    expect(signingCertUrl(url)).toMatchObject({ ok: true });
  });

  it.each([
    'http://sns.us-east-1.amazonaws.com/c.pem',
    'https://sns.us-east-1.amazonaws.com.evil.com/c.pem',
    'https://sns.us-east-1.amazonaws.com./c.pem',
    'https://evil.com#@sns.us-east-1.amazonaws.com/c.pem',
    'https://user@sns.us-east-1.amazonaws.com/c.pem',
    'https://sns.us-east-1.amazonaws.com:443x/c.pem',
    'https://sns.us-east-1.amazonaws.com:8443/c.pem',
    'https://SNS.US-EAST-1.AMAZONAWS.COM/c.pem',
    'https://sns.amazonaws.com/c.pem',
    'https://s3.us-east-1.amazonaws.com/c.pem',
    'https://127.0.0.1/c.pem',
    'https://[::1]/c.pem',
    'https://2130706433/c.pem',
    'https://169.254.169.254/c.pem',
    'https://sns.us-east-1.amazonaws.com/c.txt',
    'file:///etc/passwd',
    'not a url',
  ])('refuses the certificate at %s', (url) => {
    expect(signingCertUrl(url)).toMatchObject({ ok: false });
  });

  it('confirms only through the ConfirmSubscription action of an SNS host', () => {
    expect(
      subscribeUrl('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:1:t&Token=ab'),
    ).toMatchObject({
      ok: true,
    });
    expect(subscribeUrl('https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x')).toMatchObject({ ok: false });
    expect(subscribeUrl('https://localhost/?Action=ConfirmSubscription')).toMatchObject({ ok: false });
  });
});

describe('SES feedback configuration', () => {
  it('is off without SNS_TOPIC_ARNS and keeps certificates beside the data directory', () => {
    expect(loadConfig({}).sesFeedback).toEqual({
      topicArns: [],
      certCacheDir: '.almanac/sns-certs',
      transientBounceLimit: 3,
      transientBounceDays: 7,
    });
    expect(loadConfig({ ALMANAC_DATA_DIR: '/var/lib/almanac/db' }).sesFeedback.certCacheDir).toBe('/var/lib/almanac/sns-certs');
  });

  it('reads the allow-list, the cache directory, SNS_MAX_AGE and the soft-bounce rule', () => {
    const c = loadConfig({
      SNS_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:ses-feedback, arn:aws-cn:sns:cn-north-1:123456789012:t2',
      SNS_CERT_CACHE_DIR: '/etc/almanac/sns',
      SNS_MAX_AGE: '3600',
      SES_TRANSIENT_BOUNCES: '5',
      SES_TRANSIENT_BOUNCE_DAYS: '30',
    }).sesFeedback;
    expect(c).toEqual({
      topicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-feedback', 'arn:aws-cn:sns:cn-north-1:123456789012:t2'],
      certCacheDir: '/etc/almanac/sns',
      maxAgeSeconds: 3600,
      transientBounceLimit: 5,
      transientBounceDays: 30,
    });
  });

  it('names a value that is not a topic ARN', () => {
    expect(() => loadConfig({ SNS_TOPIC_ARNS: 'ses-feedback' })).toThrow(/SNS_TOPIC_ARNS: expected full SNS topic ARNs/);
    expect(() => loadConfig({ SNS_MAX_AGE: '0' })).toThrow(/SNS_MAX_AGE/);
  });
});
