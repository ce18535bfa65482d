import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { applyTransforms, identity, messageTransforms, preheader } from '../../src/render/transforms';
import { buildMime, newMessageId, textPartOf } from '../../src/render/mime';
import type { OutgoingMessage } from '../../src/sending/transport';

const now = new Date('2026-11-24T10:00:00Z');
const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  sendId: 42,
  to: 'Zofia Łąka <zofia@example.com>',
  from: 'Sklep <news@shop.example>',
  replyTo: 'help@shop.example',
  subject: 'Zażółć gęślą jaźń 🎁',
  html: '<html><body><p>Cześć Zofio — 50% taniej = okazja</p></body></html>',
  text: 'Cześć Zofio — 50% taniej = okazja\nhttps://shop.example/c/k-9?a=1&b=2',
  headers: { 'X-Almanac-Send-Id': '42', 'X-Almanac-Campaign': 'abandoned-cart' },
  tags: { send_id: '42' },
  date: now,
  ...over,
});

describe('buildMime', () => {
  it('parses back with mailparser: subject, parts, Message-ID, Date and custom headers', async () => {
    const raw = await buildMime(message(), { messageId: '<42.abc@shop.example>' });
    expect(raw.toString('latin1')).toMatch(/^[\x00-\x7f]*$/);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Zażółć gęślą jaźń 🎁');
    expect(parsed.text).toBe('Cześć Zofio — 50% taniej = okazja\nhttps://shop.example/c/k-9?a=1&b=2');
    expect(parsed.html).toBe('<html><body><p>Cześć Zofio — 50% taniej = okazja</p></body></html>');
    expect(parsed.messageId).toBe('<42.abc@shop.example>');
    expect(parsed.date?.toISOString()).toBe(now.toISOString());
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Sklep', address: 'news@shop.example' });
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0] : undefined).toMatchObject({
      name: 'Zofia Łąka',
      address: 'zofia@example.com',
    });
    expect(parsed.replyTo?.value[0]?.address).toBe('help@shop.example');
    expect(parsed.headers.get('x-almanac-send-id')).toBe('42');
    expect(parsed.headers.get('x-almanac-campaign')).toBe('abandoned-cart');
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
  });

  it('puts the text part before the HTML part, and the same message builds to the same bytes', async () => {
    const raw = (await buildMime(message(), { messageId: '<42.abc@shop.example>' })).toString('utf8');
    expect(raw.indexOf('Content-Type: text/plain')).toBeGreaterThan(0);
    expect(raw.indexOf('Content-Type: text/plain')).toBeLessThan(raw.indexOf('Content-Type: text/html'));
    expect((await buildMime(message(), { messageId: '<42.abc@shop.example>' })).toString('utf8')).toBe(raw);
    expect(textPartOf(raw)).toBe(message().text);
  });

  it('keeps data out of the headers: a CR/LF in the subject cannot add a header', async () => {
    const parsed = await simpleParser(await buildMime(message({ subject: 'Hi\r\nBcc: evil@example.com' })));
    expect(parsed.subject).toBe('Hi Bcc: evil@example.com');
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.messageId).toMatch(/^<42\.[0-9a-f-]{36}@shop\.example>$/);
  });

  it('a text-only message (empty html) is a single text/plain part', async () => {
    const raw = await buildMime(message({ html: '' }));
    const parsed = await simpleParser(raw);
    expect(parsed.html).toBe(false);
    expect(parsed.text?.trimEnd()).toBe(message().text);
    expect(textPartOf(raw.toString('utf8'))).toBe(message().text);
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'text/plain' });
  });

  it('Message-IDs carry the send id and the From domain', () => {
    expect(newMessageId({ sendId: 7, from: 'Shop <news@shop.example>' }, () => 'u')).toBe('<7.u@shop.example>');
    expect(newMessageId({ sendId: 7, from: 'nobody' }, () => 'u')).toBe('<7.u@almanac.invalid>');
  });
});

describe('post-render transforms', () => {
  it('the preheader goes first in <body>, escaped, and no preheader changes nothing', () => {
    const m = applyTransforms(message(), messageTransforms({ preheader: 'Ends <tonight> & more' }));
    expect(m.html).toMatch(/^<html><body><div style="display:none[^"]*">Ends &lt;tonight&gt; &amp; more(&#847;&zwnj;&nbsp;)+<\/div><p>/);
    expect(m.text).toBe(message().text);
    expect(applyTransforms(message(), messageTransforms({}))).toEqual(message());
    expect(preheader('x')({ ...message(), html: '<p>no body</p>' }).html).toMatch(/^<div style="display:none.*<\/div><p>no body<\/p>$/);
  });

  it('shared transforms run after the per-message ones, in order', () => {
    const tag = (s: string) => (m: OutgoingMessage) => ({
      ...m,
      headers: { ...m.headers, 'X-Order': `${m.headers['X-Order'] ?? ''}${s}` },
    });
    const m = applyTransforms(message(), messageTransforms({ preheader: 'p' }, [tag('a'), identity, tag('b')]));
    expect(m.headers['X-Order']).toBe('ab');
    expect(m.html).toContain('>p&#847;');
  });
});
