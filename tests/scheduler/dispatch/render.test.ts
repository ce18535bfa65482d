import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRenderer } from '../../../src/render/renderer-files';
import type { RenderData } from '../../../src/render/types';
import { sampleTemplatesDir, testTemplatesDir } from './fixtures';

const data = (contact: Record<string, unknown> = {}, more: Partial<RenderData> = {}): RenderData => ({
  contact: { email: 'ada@example.com', ...contact },
  trigger: {},
  campaign: { id: 'welcome', name: 'Welcome series' },
  send: { id: 7 },
  sender: { postal_address: '' },
  ...more,
});

describe('renderer', () => {
  it('renders the sample cart reminder with the cart items in subject, text and HTML', () => {
    const renderer = createRenderer({ templatesDir: sampleTemplatesDir });
    const cart = { items: [{ title: 'Mug', quantity: 2 }], total: 129, currency: 'EUR', url: 'https://shop.example/c/k-9' };
    const out = renderer.render('cart-reminder', data({ first_name: 'Ada' }, { cart }));
    expect(out).toMatchObject({ ok: true, subject: 'You left something in your cart, Ada' });
    if (!out.ok) return;
    expect(out.text).toContain('- 2 × Mug');
    expect(out.text).toContain('Complete your order: https://shop.example/c/k-9');
    expect(out.html).toContain('<li>2 × Mug</li>');
    expect(out.html).toContain('href="https://shop.example/c/k-9"');
  });

  it('escapes contact data in the HTML part, and leaves subject and text unescaped (they are not HTML)', () => {
    const out = createRenderer({ templatesDir: testTemplatesDir }).render('hello', data({ first_name: '<script>x</script>' }));
    if (!out.ok) throw new Error(out.message);
    expect(out.html).toContain('Hi &lt;script&gt;x&lt;/script&gt; from');
    expect(out.html).not.toContain('<script>');
    expect(out.subject).toBe('Hello <script>x</script> & welcome');
  });

  it('a missing attribute falls back to the default, and never prints "undefined"', () => {
    const out = createRenderer({ templatesDir: testTemplatesDir }).render('hello', data({ first_name: '' }));
    if (!out.ok) throw new Error(out.message);
    expect(out.subject).toBe('Hello there & welcome');
    expect(out.text).toBe('Hi there from Welcome series (city: )');
    expect(`${out.subject}${out.text}${out.html}`).not.toContain('undefined');
  });

  it('derives the text part from the HTML when the template has no text.hbs', () => {
    const out = createRenderer({ templatesDir: testTemplatesDir }).render('html-only', data({ first_name: 'Bo' }));
    if (!out.ok) throw new Error(out.message);
    expect(out.text).toBe('News for Bo\nRead this (https://shop.example/n) & more.\n- One\n- Two');
  });

  it('a template that fails returns an error naming the file, and the renderer keeps working', () => {
    const renderer = createRenderer({ templatesDir: testTemplatesDir });
    const out = renderer.render('broken', data());
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.message).toMatch(/broken\/html\.hbs: Missing helper: "monye"/);
    expect(renderer.render('hello', data()).ok).toBe(true);
  });

  it('an unknown or unsafe template name is an error value, not a throw', () => {
    const renderer = createRenderer({ templatesDir: testTemplatesDir });
    expect(renderer.render('nope', data())).toMatchObject({ ok: false, message: expect.stringContaining('nope/subject.hbs is missing') });
    expect(renderer.render('../hello', data())).toMatchObject({ ok: false, message: expect.stringContaining('not a template name') });
  });

  it('uses the send step subject override, itself a template, as one line', () => {
    const out = createRenderer({ templatesDir: testTemplatesDir }).render('hello', data({ first_name: 'Ada' }), {
      subject: 'Last call,\n{{contact.first_name}}',
    });
    expect(out).toMatchObject({ ok: true, subject: 'Last call, Ada' });
  });

  it('compiles each template once: later edits to the file do not change a running renderer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'almanac-render-'));
    mkdirSync(join(dir, 't'));
    writeFileSync(join(dir, 't', 'subject.hbs'), 'v1');
    writeFileSync(join(dir, 't', 'html.hbs'), '<p>v1</p>');
    const renderer = createRenderer({ templatesDir: dir });
    expect(renderer.render('t', data())).toMatchObject({ subject: 'v1' });
    writeFileSync(join(dir, 't', 'subject.hbs'), 'v2');
    expect(renderer.render('t', data())).toMatchObject({ subject: 'v1' });
    expect(createRenderer({ templatesDir: dir }).render('t', data())).toMatchObject({ subject: 'v2' });
  });

  it('does not expose prototype properties to templates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'almanac-render-'));
    mkdirSync(join(dir, 'p'));
    writeFileSync(join(dir, 'p', 'subject.hbs'), 's');
    writeFileSync(join(dir, 'p', 'html.hbs'), '[{{contact.constructor}}][{{contact.__proto__}}]');
    const out = createRenderer({ templatesDir: dir }).render('p', data());
    expect(out).toMatchObject({ ok: true, html: '[][]' });
  });
});
