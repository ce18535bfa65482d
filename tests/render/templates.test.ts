import { describe, expect, it } from 'vitest';
import { createRenderer } from '../../src/render/renderer-files';
import { renderPreview } from '../../src/render/preview';
import { cart, data, renderOk, sampleTemplatesDir, templatesDir } from './fixtures';

const sender = { from: 'Shop <news@shop.example>' };

describe('sample templates in both locales', () => {
  const renderer = createRenderer({ templatesDir: sampleTemplatesDir });
  const preview = (template: string, contact: Record<string, unknown>, more: { cart?: typeof cart } = {}) => {
    const out = renderPreview(renderer, {
      template,
      contact: { email: 'ada@example.com', locale: null, timezone: null, attributes: {}, ...contact },
      trigger: more.cart ? { type: 'checkout.started', properties: more.cart } : null,
      campaign: { id: 'c', name: 'C' },
      sender,
    });
    if (!out.ok) throw new Error(out.message);
    return out;
  };

  it('cart-reminder in English: layout, partial, money, pluralize and the preheader', () => {
    const out = preview('cart-reminder', { locale: 'en', attributes: { first_name: 'Ada' } }, { cart });
    expect(out.subject).toBe('You left something in your cart, Ada');
    expect(out.html).toContain('<!DOCTYPE html>');
    expect(out.html).toContain('<html lang="en">');
    expect(out.html).toContain('Your cart is waiting: 2 items worth €149.00.');
    expect(out.html).toContain('<ul><li>2 × Mug</li><li>1 × Tea</li></ul>');
    expect(out.html).toMatch(/<body[^>]*><div style="display:none[^"]*">2 items saved for you, ready when you are/);
    expect(out.html).toContain('You are receiving this email as a customer of our shop.');
    expect(out.text).toContain(
      'Your cart is waiting: 2 items worth €149.00.\n- 2 × Mug\n- 1 × Tea\n\nComplete your order: https://shop.example/c/k-9',
    );
  });

  it('cart-reminder in Polish for pl-PL (falls back to the pl folder), with Polish plural and money', () => {
    const out = preview(
      'cart-reminder',
      { locale: 'pl-PL', attributes: { first_name: 'Zofia' } },
      { cart: { ...cart, currency: 'PLN', items: [...cart.items, { product_id: 'p3', title: 'Łyżka', quantity: 1, price: 0 }] } },
    );
    expect(out.subject).toBe('Zofia, Twój koszyk na Ciebie czeka');
    expect(out.html.replace(/\u00a0/g, ' ')).toContain('W Twoim koszyku: 3 produkty o łącznej wartości 149,00 zł.');
    expect(out.html).toContain('<html lang="pl">');
    expect(out.html).toContain('Otrzymujesz tę wiadomość jako klient naszego sklepu.');
    expect(out.html).toContain('3 produkty czeka na Ciebie w koszyku');
    expect(out.text).toContain('Dokończ zamówienie: https://shop.example/c/k-9');
    expect(out.text).toContain('- 1 × Łyżka');
  });

  it('welcome-1 in English and Polish, with and without a first name', () => {
    expect(preview('welcome-1', { locale: 'en', attributes: { first_name: 'Ada' } }).subject).toBe('Welcome, Ada!');
    expect(preview('welcome-1', { locale: 'pl', attributes: { first_name: 'Ada' } }).subject).toBe('Witamy, Ada!');
    const pl = preview('welcome-1', { locale: 'pl' });
    expect(pl.subject).toBe('Witamy!');
    expect(pl.text).toMatch(/^Witamy na pokładzie! Cieszymy się/);
    expect(pl.html).toContain('Krótkie powitanie i kilka słów o tym, jak działamy');
    expect(`${pl.subject}${pl.text}${pl.html}`).not.toContain('undefined');
  });

  it('an unsupported locale (de) or none gets the default files', () => {
    expect(preview('welcome-1', { locale: 'de-DE', attributes: { first_name: 'Ada' } }).subject).toBe('Welcome, Ada!');
    expect(preview('welcome-1', {}).subject).toBe('Welcome, friend!');
  });
});

describe('locale fallback, layouts and partials', () => {
  const dir = templatesDir({
    't/subject.hbs': 'Hello',
    't/html.hbs': '<p>Hi {{> sig}}</p>',
    't/text.hbs': 'Hi (text) {{> sig}}',
    't/pl/subject.hbs': 'Cześć',
    't/pt-BR/html.hbs': '<p>Olá</p>',
    'partials/sig.hbs': '{{capitalize contact.first_name}} of {{contact.company}}',
    'layouts/default.hbs': '<main>{{{body}}}</main>',
    'layouts/plain.hbs': '<div class="plain">{{{body}}}</div>',
    'bare/subject.hbs': 's',
    'bare/html.hbs': '<p>bare</p>',
    'bare/meta.yaml': 'layout: none\nfrom: Team <team@shop.example>\nreply_to: help@shop.example\n',
    'fancy/subject.hbs': 's',
    'fancy/html.hbs': '<p>x</p>',
    'fancy/meta.yaml': 'layout: plain\n',
  });

  it('each file falls back on its own: a translated subject keeps the default body', () => {
    const out = renderOk(dir, 't', data({ locale: 'pl', first_name: 'ola', company: 'A&B' }));
    expect(out).toMatchObject({ subject: 'Cześć', html: '<main><p>Hi Ola of A&amp;B</p></main>', text: 'Hi (text) Ola of A&B' });
  });

  it('a translated HTML without a translated text part derives the text from the translation', () => {
    const out = renderOk(dir, 't', data({ locale: 'pt-BR' }));
    expect(out).toMatchObject({ subject: 'Hello', html: '<main><p>Olá</p></main>', text: 'Olá' });
  });

  it('the partial is escaped in HTML and not in text; meta.yaml picks the layout or none and the sender', () => {
    expect(renderOk(dir, 'bare', data())).toMatchObject({
      html: '<p>bare</p>',
      from: 'Team <team@shop.example>',
      replyTo: 'help@shop.example',
    });
    expect(renderOk(dir, 'fancy', data()).html).toBe('<div class="plain"><p>x</p></div>');
  });

  it('a text-only template (subject.hbs + text.hbs) renders without HTML, layout or preheader', () => {
    const plain = templatesDir({
      'p/subject.hbs': 'S',
      'p/text.hbs': 'Hi {{contact.first_name}} <3',
      'p/meta.yaml': 'preheader: x\n',
      'layouts/default.hbs': '<main>{{{body}}}</main>',
    });
    const out = renderPreview(createRenderer({ templatesDir: plain }), {
      template: 'p',
      contact: { email: 'a@b.example', locale: null, timezone: null, attributes: { first_name: 'Bo' } },
      campaign: { id: 'c', name: 'C' },
      sender,
    });
    expect(out).toMatchObject({ ok: true, subject: 'S', text: 'Hi Bo <3', html: '' });
  });

  it('an invalid meta.yaml fails the render with file:line:col', () => {
    const bad = templatesDir({ 'x/subject.hbs': 's', 'x/html.hbs': 'h', 'x/meta.yaml': 'from: nobody\n' });
    const out = createRenderer({ templatesDir: bad }).render('x', data());
    expect(out).toMatchObject({ ok: false, message: expect.stringMatching(/x\/meta\.yaml:1:7 from: email address "nobody" is not valid/) });
  });
});
