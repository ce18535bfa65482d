import { describe, expect, it } from 'vitest';
import { loadConfig, webhookRulesOf } from '../../src/config';
import { webhookVerdict } from '../../src/sending/webhook';

const secret = `whsec_${Buffer.from('a-32-byte-secret-for-the-crm-out').toString('base64')}`;
const fail = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a config error');
};

describe('webhook step configuration', () => {
  it('reads WEBHOOK_SECRETS, WEBHOOK_SECRET, WEBHOOK_ALLOWED_HOSTS, the timeout and the attempts', () => {
    const c = loadConfig({
      WEBHOOK_SECRETS: `crm=${secret}, sms=${secret}`,
      WEBHOOK_SECRET: secret,
      WEBHOOK_ALLOWED_HOSTS: 'crm.example,SMS.example',
      WEBHOOK_TIMEOUT_MS: '5000',
      WEBHOOK_MAX_ATTEMPTS: '3',
    });
    expect(c.webhookSteps).toEqual({
      secrets: { crm: secret, sms: secret },
      defaultSecret: secret,
      allowedHosts: ['crm.example', 'sms.example'],
      timeoutMs: 5000,
      maxAttempts: 3,
    });
    expect(loadConfig({}).webhookSteps).toEqual({ secrets: {}, allowedHosts: [], timeoutMs: 10_000, maxAttempts: 8 });
  });

  it('names a bad secret without echoing it', () => {
    const short = secret.slice(0, 12);
    expect(fail({ WEBHOOK_SECRETS: `crm=${short}` })).toContain(
      'WEBHOOK_SECRETS: expected secret=whsec_… pairs separated by commas; the secret of "crm" is not whsec_ followed by base64 of at least 16 bytes',
    );
    expect(fail({ WEBHOOK_SECRET: short })).toContain('WEBHOOK_SECRET: expected whsec_ followed by base64 of at least 16 bytes');
    expect(fail({ WEBHOOK_SECRET: short })).not.toContain(short);
  });

  it('tells the compiler the hosts, and the secret names only when some secret is configured', () => {
    expect(webhookRulesOf({})).toEqual({ allowedHosts: [] });
    expect(webhookRulesOf({ WEBHOOK_ALLOWED_HOSTS: 'crm.example', WEBHOOK_SECRETS: `crm=${secret}` })).toEqual({
      allowedHosts: ['crm.example'],
      secrets: { names: ['crm'], hasDefault: false },
    });
    expect(webhookRulesOf({ WEBHOOK_SECRET: secret })).toEqual({ allowedHosts: [], secrets: { names: [], hasDefault: true } });
  });
});

describe('what an answer means', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [500, 'retry'],
    [503, 'retry'],
    [408, 'retry'],
    [429, 'retry'],
    [400, 'failed'],
    [404, 'failed'],
    [301, 'failed'],
  ])('HTTP %i → %s', (status, kind) => {
    expect(webhookVerdict({ kind: 'answered', status }).kind).toBe(kind);
  });

  it('no answer is retried, and a Retry-After rides along; a redirect says webhooks do not follow it', () => {
    expect(webhookVerdict({ kind: 'timeout', error: 'no answer within 10000 ms' })).toEqual({
      kind: 'retry',
      error: 'timeout: no answer within 10000 ms',
    });
    expect(webhookVerdict({ kind: 'network', error: 'ECONNREFUSED' }).kind).toBe('retry');
    expect(webhookVerdict({ kind: 'answered', status: 429, retryAfterMs: 30_000 })).toMatchObject({ retryAfterMs: 30_000 });
    expect(webhookVerdict({ kind: 'answered', status: 302 })).toMatchObject({
      error: 'answered 302 (a redirect: webhooks do not follow them)',
    });
  });
});
