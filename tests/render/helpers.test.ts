import { describe, expect, it } from 'vitest';
import { data, renderHtml } from './fixtures';

const as = (locale: string | null, timezone: string | null = null) => data({ locale, timezone, first_name: 'ada' });

describe('text helpers', () => {
  it('default gives the fallback for missing, null and empty values, the value otherwise', () => {
    expect(renderHtml('[{{default contact.nick "friend"}}][{{default contact.first_name "friend"}}][{{default contact.none}}]')).toBe(
      '[friend][friend][]',
    );
    expect(renderHtml('{{default contact.first_name "friend"}}', as('en'))).toBe('ada');
  });

  it('upper, lower and capitalize, locale-aware, empty for missing values', () => {
    expect(
      renderHtml('{{upper contact.first_name}} {{lower "ŻÓŁW"}} {{capitalize contact.first_name}} [{{upper contact.none}}]', as('pl')),
    ).toBe('ADA żółw Ada []');
    expect(renderHtml('{{upper "istanbul"}}', as('tr'))).toBe('İSTANBUL');
  });

  it('pluralize picks singular/plural in English and every Polish form with PluralRules', () => {
    const en = (n: number) => renderHtml(`{{pluralize ${n} "item" "items"}}`, as('en'));
    expect([en(0), en(1), en(2)]).toEqual(['0 items', '1 item', '2 items']);
    const pl = (n: number) => renderHtml(`{{pluralize ${n} "produkt" "produkty" "produktów"}}`, as('pl-PL'));
    expect([1, 2, 4, 5, 12, 22, 25].map(pl)).toEqual([
      '1 produkt',
      '2 produkty',
      '4 produkty',
      '5 produktów',
      '12 produktów',
      '22 produkty',
      '25 produktów',
    ]);
    expect(renderHtml('{{pluralize 3 one="plik" few="pliki" many="plików" words=false}}', as('pl'))).toBe('pliki');
    expect(renderHtml('{{pluralize contact.none "item" "items"}}', as('en'))).toBe('0 items');
  });
});

describe('money and date follow the contact', () => {
  it('formats EUR, PLN and USD for en, pl and de contacts', () => {
    const money = (locale: string, currency: string) =>
      renderHtml(`{{money 1234.5 "${currency}"}}`, as(locale)).replace(/\u00a0|\u202f/g, ' ');
    expect(['EUR', 'PLN', 'USD'].map((c) => money('en', c))).toEqual(['€1,234.50', 'PLN 1,234.50', '$1,234.50']);
    expect(['EUR', 'PLN', 'USD'].map((c) => money('pl', c))).toEqual(['1234,50 €', '1234,50 zł', '1234,50 USD']);
    expect(['EUR', 'PLN', 'USD'].map((c) => money('de', c))).toEqual(['1.234,50 €', '1.234,50 PLN', '1.234,50 $']);
  });

  it('money takes numeric strings and the cart currency, and renders nothing for a missing amount', () => {
    const d = data({ locale: 'en' }, { cart: { items: [], total: '129.00', currency: 'EUR' } });
    expect(renderHtml('{{money cart.total}}|{{money contact.none "EUR"}}|{{money "x" "EUR"}}', d)).toBe('€129.00||');
  });

  it('date renders in the contact zone and locale: short, long and time', () => {
    const at = '2026-11-24T23:30:00Z';
    const d = (locale: string, zone: string | null, f: string) => renderHtml(`{{date "${at}" "${f}"}}`, as(locale, zone));
    expect(d('pl', 'Europe/Warsaw', 'short')).toBe('25.11.2026');
    expect(d('pl', 'Europe/Warsaw', 'long')).toBe('25 listopada 2026');
    expect(d('pl', 'Europe/Warsaw', 'time')).toBe('00:30');
    expect(d('en-US', 'America/New_York', 'long')).toBe('November 24, 2026');
    expect(d('en-US', 'America/New_York', 'time')).toMatch(/^6:30\sPM$/);
    expect(d('de', null, 'short')).toBe('24.11.26');
    expect(renderHtml('[{{date contact.none}}][{{date "not a date"}}]')).toBe('[][]');
  });
});

describe('logic, loops and recommendations', () => {
  it('eq, gt, and, or as subexpressions', () => {
    const d = data({ tier: 'gold', orders: 3 }, { cart: { items: [1], total: 120 } });
    const t =
      '{{#if (eq contact.tier "gold")}}G{{/if}}{{#if (eq cart.items.length "1")}}1{{/if}}{{#if (gt cart.total 100)}}>{{/if}}{{#if (gt contact.none 1)}}X{{/if}}' +
      '{{#if (and contact.tier (gt contact.orders 2))}}&{{/if}}{{#if (and contact.tier contact.none)}}X{{/if}}{{#if (or contact.none contact.tier)}}|{{/if}}';
    expect(renderHtml(t, d)).toBe('G1>&|');
  });

  it('each over cart items gives @index and @first', () => {
    const d = data({}, { cart: { items: [{ title: 'Mug' }, { title: 'Tea' }] } });
    expect(renderHtml('{{#each cart.items}}{{#if @first}}first:{{/if}}{{@index}}={{title}};{{/each}}', d)).toBe('first:0=Mug;1=Tea;');
  });

  it('recommend n lists at most n prepared products with @first/@last, else the inverse', () => {
    const recommendations = ['a', 'b', 'c'].map((id, i) => ({
      product_id: id,
      title: id.toUpperCase(),
      price: 10 + i,
      currency: 'EUR',
      url: null,
      image: null,
      score: 3 - i,
    }));
    const t = '{{#recommend 2}}{{#if @first}}[{{/if}}{{@index}}:{{title}}{{#if @last}}]{{/if}}{{else}}none{{/recommend}}';
    expect(renderHtml(t, data({}, { recommendations }))).toBe('[0:A1:B]');
    expect(renderHtml(t, data())).toBe('none');
    expect(renderHtml('{{#each (recommend 1)}}{{title}}{{/each}}', data({}, { recommendations }))).toBe('A');
  });

  it('view_in_browser_url reads the prepared link, empty without one', () => {
    expect(
      renderHtml('<a href="{{view_in_browser_url}}">', data({}, { send: { id: 1, view_in_browser_url: 'https://x.example/v/1.abc' } })),
    ).toBe('<a href="https://x.example/v/1.abc">');
    expect(renderHtml('[{{view_in_browser_url}}]')).toBe('[]');
  });
});
