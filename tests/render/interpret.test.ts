import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { fileTree } from '../../src/render/file-tree';
import { createHelpers } from '../../src/render/helpers';
import { interpretTemplate } from '../../src/render/interpret';
import { createTreeRenderer } from '../../src/render/renderer';
import type { RenderData } from '../../src/render/types';
import { data, sampleTemplatesDir, templatesDir } from './fixtures';

/**
 * The Worker renders with ./interpret.ts (workerd forbids the code generation of
 * Handlebars.compile); Node with Handlebars.compile. They must write the same bytes: every sample
 * template for several contacts, and generated templates over every construct we allow.
 */
const both = (dir: string) => ({
  compiled: createTreeRenderer({ templatesDir: dir, tree: fileTree }),
  interpreted: createTreeRenderer({ templatesDir: dir, tree: fileTree, engine: 'interpret' }),
});

const cart = {
  items: [
    { title: 'Stoneware mug', quantity: 2, price: 32, currency: 'EUR', url: 'https://shop.example/mug' },
    { title: 'Tea <"Sencha"> & co', quantity: 1, price: 12.5, currency: 'EUR' },
  ],
  total: 76.5,
  currency: 'EUR',
  url: 'https://shop.example/cart/1',
};
const recommendations = [
  { product_id: 'p1', title: 'Teapot', price: 40, currency: 'EUR', url: 'https://shop.example/teapot', image: null },
  { product_id: 'p2', title: 'Kettle', price: 55, currency: 'EUR', url: 'https://shop.example/kettle', image: null },
];
const contacts: RenderData[] = [
  data({ first_name: 'Ada', locale: 'en', timezone: 'Europe/London' }, { cart, recommendations } as Partial<RenderData>),
  data({ first_name: 'Ola', locale: 'pl-PL', timezone: 'Europe/Warsaw' }, { cart } as Partial<RenderData>),
  data({ locale: 'de' }, { sender: { postal_address: 'Shop, 1 Main St' } } as Partial<RenderData>),
  data({ first_name: '<script>alert(1)</script>', locale: 'pl' }, { recommendations } as Partial<RenderData>),
];

describe('interpreted templates (Workers) render as compiled ones (Node)', () => {
  it('every sample template, for contacts in several locales, with and without cart and recommendations', () => {
    const { compiled, interpreted } = both(sampleTemplatesDir);
    const names = readdirSync(sampleTemplatesDir).filter((n) => !['layouts', 'partials'].includes(n));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names)
      for (const d of contacts) {
        const a = compiled.render(name, d);
        expect(a.ok, `${name}: ${JSON.stringify(a)}`).toBe(true);
        expect(interpreted.render(name, d), name).toEqual(a);
      }
  });

  it('generated templates over mustaches, blocks, helpers, subexpressions, partials and whitespace control: same output or both fail', () => {
    // Fresh environments per run: Handlebars replaces a partial's source by its function compiled in
    // the escaping mode of the first template using it (the renderer keeps one per mode for that).
    const environment = () => {
      const env = Handlebars.create();
      env.registerHelper(createHelpers());
      env.registerPartial('item', '<i>{{title}}</i>{{#if @last}}.{{/if}}\n');
      env.registerPartial('who', '{{default name "friend"}} ({{@root.name}})');
      return env;
    };
    const context = {
      name: 'Ada & <Bob>',
      flag: true,
      off: false,
      zero: 0,
      n: 3,
      price: '19.90',
      empty: [],
      list: [{ title: 'a<b' }, { title: 'c"d' }, { title: '' }],
      obj: { title: 'Obj', inner: { deep: 'yes' } },
      contact: { first_name: 'Ada', locale: 'pl', timezone: 'Europe/Warsaw' },
      recommendations,
    };
    const paths = [
      'name',
      'flag',
      'off',
      'zero',
      'n',
      'missing',
      'obj.title',
      'obj.inner.deep',
      'list.length',
      'this.name',
      'contact.first_name',
      '@root.name',
      'constructor',
      'name.length',
    ];
    const inner = ['title', 'this', '../name', '@index', '@first', '@last', '@key', '@root.n', 'this.title', 'deep'];
    const text = fc.constantFrom('', ' ', 'x', '<p>', '&amp;', '\n', '  \n', 'Hi, ', '"q"', "'");
    const arg = fc.oneof(fc.constantFrom(...paths), fc.constantFrom('"str"', '"<b>"', '2', '0', 'true', 'null'));
    const leaf = fc.oneof(
      text,
      fc.constantFrom(...paths).map((p) => `{{${p}}}`),
      fc.constantFrom(...paths).map((p) => `{{{${p}}}}`),
      fc.constantFrom(...paths).map((p) => `{{~${p}~}}`),
      fc
        .tuple(fc.constantFrom('upper', 'lower', 'capitalize', 'default'), arg, arg)
        .map(([h, a, b]) => (h === 'default' ? `{{default ${a} ${b}}}` : `{{${h} ${a}}}`)),
      fc.tuple(arg, arg).map(([a, b]) => `{{#if (eq ${a} ${b})}}same{{else}}diff{{/if}}`),
      fc.tuple(arg, arg).map(([a, b]) => `{{#if (or ${a} (and ${b} flag))}}y{{/if}}`),
      fc.constantFrom('{{money price "EUR"}}', '{{pluralize n "item"}}', '{{#recommend 1}}{{title}}@{{@index}}{{else}}none{{/recommend}}'),
      fc.constantFrom('{{> who}}', '{{> who obj}}', '{{> who name="Zed"}}', '\n  {{> item obj}}\n', '{{!-- note --}}', '{{! c }}'),
      fc.constantFrom('{{lookup obj "title"}}', '{{lookup list 1}}', '{{#each (recommend 2)}}{{title}},{{/each}}'),
    );
    const template = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('block')),
      // Joined with a character: unescaped, Handlebars.compile adds two adjacent numbers ({{n}}{{n}} → "6"),
      // a quirk of its generated code that the interpreter does not copy (it writes "33").
      body: fc.array(tie('node'), { maxLength: 5 }).map((parts) => parts.join('·')),
      block: fc.oneof(
        fc
          .tuple(fc.constantFrom('if', 'unless'), fc.constantFrom(...paths), tie('body'), tie('body'))
          .map(([h, p, a, b]) => `{{#${h} ${p}}}${a}{{else}}${b}{{/${h}}}`),
        fc
          .tuple(
            fc.constantFrom('list', 'empty', 'obj', 'recommendations'),
            fc.array(fc.constantFrom(...inner), { maxLength: 3 }),
            tie('body'),
          )
          .map(([p, xs, b]) => `{{#each ${p}}}${xs.map((x) => `{{${x}}}`).join('|')}\n${b}{{else}}none{{/each}}`),
        fc
          .tuple(fc.constantFrom('obj', 'obj.inner', 'missing'), tie('body'))
          .map(([p, b]) => `{{#with ${p}}}{{title}}{{deep}}{{../name}}${b}{{else}}w/o{{/with}}`),
        fc
          .tuple(fc.constantFrom('list', 'flag', 'off', 'obj', 'missing', 'empty'), tie('body'))
          .map(([p, b]) => `{{#${p}}}[{{title}}${b}]{{/${p}}}`),
        fc.tuple(fc.constantFrom('list', 'empty'), tie('body')).map(([p, b]) => `{{^${p}}}no ${p}${b}{{/${p}}}`),
        fc.tuple(tie('body')).map(([b]) => `\n{{#each list as |item i|}}\n  {{i}}:{{item.title}}${b}\n{{/each}}\n`),
      ),
    }));
    const outcome = (fn: () => string) => {
      try {
        return { ok: fn() };
      } catch (err) {
        return { error: (err as Error).message.split('\n')[0] };
      }
    };
    fc.assert(
      fc.property(template.body, fc.boolean(), (source, escape) => {
        const expected = outcome(() => environment().compile(source, { noEscape: !escape })(context));
        const got = outcome(() => interpretTemplate(source, environment(), { escape })(context));
        if ('ok' in expected) expect(got, source).toEqual(expected);
        else expect(got, source).toHaveProperty('error');
      }),
      { numRuns: Number(process.env.INTERPRET_RUNS ?? 400) },
    );
  });

  it('refuses what it does not support (partial blocks) with an error naming the file, like any render failure', () => {
    const dir = templatesDir({ 't/subject.hbs': 's', 't/html.hbs': '{{#> nope}}fallback{{/nope}}' });
    const out = both(dir).interpreted.render('t', data());
    expect(out).toMatchObject({ ok: false, message: expect.stringMatching(/t\/html\.hbs: PartialBlockStatement is not supported/) });
  });
});
