import { describe, expect, it } from 'vitest';
import { createRenderer } from '../../src/render/renderer-files';
import { data, renderHtml, templatesDir } from './fixtures';

describe('safety', () => {
  it('prototype properties are not reachable from templates', () => {
    const t =
      '[{{contact.constructor.name}}][{{contact.__proto__}}][{{lookup contact "constructor"}}][{{contact.__proto__.constructor.name}}][{{trigger.toString}}]';
    expect(renderHtml(t, data({ first_name: 'Ada' }))).toBe('[][][][][]');
  });

  it('HTML in contact and event data is escaped in the body, layout and helpers', () => {
    const evil = '<script>alert(1)</script>';
    const dir = templatesDir({
      'layouts/default.hbs': '<title>{{subject}}</title>{{{body}}}',
      't/subject.hbs': 'Hi {{contact.first_name}}',
      't/html.hbs':
        '<p>{{contact.first_name}} {{upper trigger.note}} {{default contact.none trigger.note}}</p>{{#each cart.items}}<i>{{title}}</i>{{/each}}',
    });
    const out = createRenderer({ templatesDir: dir }).render(
      't',
      data({ first_name: evil }, { trigger: { note: '"><img src=x onerror=alert(1)>' }, cart: { items: [{ title: evil }] } }),
    );
    if (!out.ok) throw new Error(out.message);
    expect(out.html).not.toMatch(/<script|<img/i);
    expect(out.html).toContain('<title>Hi &lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(out.html).toContain('&quot;&gt;&lt;IMG SRC&#x3D;X ONERROR&#x3D;ALERT(1)&gt;');
    expect(out.html).toContain('<i>&lt;script&gt;alert(1)&lt;/script&gt;</i>');
  });

  it('a missing attribute never prints "undefined" or "null"', () => {
    const out = renderHtml(
      '{{contact.first_name}}|{{upper contact.x}}|{{capitalize contact.x}}|{{money contact.x}}|{{date contact.x}}|{{pluralize contact.x "a" "b"}}|{{contact.deep.er}}',
      data({ first_name: null }),
    );
    expect(out).toBe('|||||0 b|');
  });

  it('a helper that throws fails that render with the file named, and the renderer goes on', () => {
    const dir = templatesDir({
      'a/subject.hbs': 's',
      'a/html.hbs': '{{#each 5}}{{/each}}{{lookup}}',
      'b/subject.hbs': 's',
      'b/html.hbs': 'ok',
    });
    const renderer = createRenderer({ templatesDir: dir });
    expect(renderer.render('a', data())).toMatchObject({ ok: false, message: expect.stringContaining('a/html.hbs: ') });
    expect(renderer.render('b', data())).toMatchObject({ ok: true, html: 'ok' });
  });
});
