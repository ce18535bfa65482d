import { describe, expect, it } from 'vitest';
import { hashAddress } from '../../../src/consent/address-hash';
import { gate, type GateContext } from '../../../src/scheduler/gate';
import { retryDelayMs } from '../../../src/sending/backoff';
import { buildMime, textPartOf } from '../../../src/render/mime';

const now = new Date('2026-11-24T10:00:00Z');
const marketing = { id: 1, campaign: 'newsletter', purpose: 'email.marketing', priority: 50 };
const receipt = { ...marketing, purpose: 'email.transactional' };
const ctx = (over: Partial<GateContext> = {}): GateContext => ({
  contact: { email: 'ada@example.com', timezone: 'Europe/Warsaw', locale: 'pl' },
  consent: 'granted',
  ...over,
});

describe('gate', () => {
  it('sends a marketing email only with current consent for its purpose', () => {
    expect(gate(marketing, ctx(), now)).toEqual({ action: 'send' });
    expect(gate(marketing, ctx({ consent: 'none' }), now)).toEqual({
      action: 'suppress',
      reason: 'no consent for email.marketing (never given)',
    });
    expect(gate(marketing, ctx({ consent: 'withdrawn' }), now)).toMatchObject({
      action: 'suppress',
      reason: expect.stringContaining('withdrawn'),
    }); // A double opt-in request is not consent until the person confirms it.
    expect(gate(marketing, ctx({ consent: 'pending' }), now)).toEqual({
      action: 'suppress',
      reason: 'no consent for email.marketing (double opt-in not confirmed yet)',
    });
    expect(gate(receipt, ctx({ consent: 'pending' }), now)).toEqual({ action: 'send' });
  });

  it('transactional mail needs no marketing consent but never reaches a suppressed address', () => {
    expect(gate(receipt, ctx({ consent: 'withdrawn' }), now)).toEqual({ action: 'send' });
    expect(gate(receipt, ctx({ suppression: 'bounce' }), now)).toEqual({ action: 'suppress', reason: 'address is suppressed: bounce' });
  });

  it('fails a send whose contact has no usable address, whatever else holds', () => {
    for (const email of [null, '', 'not-an-address', 'a@b', 'a b@example.com', 'x@example.com\r\nBcc: y@evil.example']) {
      expect(gate(receipt, ctx({ contact: { email, timezone: null, locale: null } }), now).action).toBe('fail');
    }
  });
});

describe('address hash', () => {
  it('is keyed and ignores case and surrounding space', () => {
    expect(hashAddress(' Ada@Example.com ', 'k1')).toBe(hashAddress('ada@example.com', 'k1'));
    expect(hashAddress('ada@example.com', 'k1')).not.toBe(hashAddress('ada@example.com', 'k2'));
    expect(hashAddress('ada@example.com', 'k1')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('retry backoff', () => {
  it('doubles per attempt with jitter inside [half, full], and never exceeds 10 minutes', () => {
    expect(retryDelayMs(1, () => 0)).toBe(2_500);
    expect(retryDelayMs(1, () => 1)).toBe(5_000);
    expect(retryDelayMs(3, () => 0.5)).toBe(15_000);
    expect(retryDelayMs(30, () => 1)).toBe(600_000);
    expect(retryDelayMs(30, () => 0)).toBe(300_000);
  });

  it('honours the provider’s retry-after as a floor, still capped', () => {
    expect(retryDelayMs(1, () => 0, 60_000)).toBe(60_000);
    expect(retryDelayMs(1, () => 0, 3_600_000)).toBe(600_000);
  });
});

describe('raw message', () => {
  it('puts headers, both parts and a UTC date in one RFC 5322 message, with no header injection', async () => {
    const raw = (
      await buildMime(
        {
          sendId: 9,
          to: 'ada@example.com',
          from: 'Shop <news@shop.example>',
          subject: 'Zażółć\r\nBcc: evil@example.com',
          html: '<p>Hi</p>',
          text: 'Hi\nthere',
          headers: { 'X-Almanac-Send-Id': '9' },
          tags: {},
          date: now,
        },
        { messageId: '<9.x@shop.example>' },
      )
    ).toString('utf8');
    const [head] = raw.split('\r\n\r\n');
    expect(head).toContain('Date: Tue, 24 Nov 2026 10:00:00 +0000');
    expect(head).toContain('Message-ID: <9.x@shop.example>');
    expect(head).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
    expect(head).not.toMatch(/^Bcc:/m);
    expect(textPartOf(raw)).toBe('Hi\nthere');
    expect(raw).toMatch(/Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: (7bit|quoted-printable)\r\n\r\n<p>Hi<\/p>/);
  });
});
