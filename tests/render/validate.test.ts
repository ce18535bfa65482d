import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/dsl/compile/index';
import { formatDiagnostic } from '../../src/dsl/diagnostics';
import { validateTemplates } from '../../src/render/validate';
import { sampleTemplatesDir, templatesDir } from './fixtures';

const check = (files: Record<string, string>) => {
  const dir = templatesDir(files);
  return validateTemplates(join(dir), join(dir, '..')).map((d) => formatDiagnostic(d).replace(/^[^/]+\//, 'templates/'));
};
const base = { 'partials/footer.hbs': 'bye', 'layouts/default.hbs': '<main>{{{body}}}</main>', 'cart/subject.hbs': 'Hi' };

describe('validateTemplates', () => {
  it('the sample templates are clean', () => {
    expect(validateTemplates(sampleTemplatesDir)).toEqual([]);
  });

  it('reports a syntax error at its line and column', () => {
    expect(check({ ...base, 'cart/html.hbs': '<p>\n  Hi {{contact.first_name}\n</p>' })).toEqual([
      'templates/cart/html.hbs:2:6 syntax error: got an unexpected character — close every {{ with }}, and every {{#block}} with its {{/block}}',
    ]);
    expect(check({ ...base, 'cart/html.hbs': '{{#each cart.items}}\n  x\n{{/if}}' })[0]).toMatch(
      /^templates\/cart\/html\.hbs:1:4 syntax error: each doesn't match if/,
    );
  });

  it('reports an unknown helper at its name, with a suggestion', () => {
    expect(check({ ...base, 'cart/html.hbs': '<p>\n  Total: {{monye cart.total "EUR"}}</p>' })).toEqual([
      'templates/cart/html.hbs:2:12 unknown helper "monye" — did you mean "money"?',
    ]);
    expect(check({ ...base, 'cart/html.hbs': '{{#if (eqq a b)}}x{{/if}}' })).toEqual([
      'templates/cart/html.hbs:1:8 unknown helper "eqq" — did you mean "eq"?',
    ]);
  });

  it('reports an unknown partial at its name', () => {
    expect(check({ ...base, 'cart/html.hbs': '<p>x</p>\n<div>{{> foter}}</div>' })).toEqual([
      'templates/cart/html.hbs:2:10 unknown partial "foter" — did you mean "footer"?',
    ]);
  });

  it('forbids unescaped output except {{{body}}} in a layout', () => {
    expect(
      check({
        ...base,
        'cart/html.hbs': '<p>\n {{{contact.first_name}}} {{&trigger.note}}</p>',
        'layouts/raw.hbs': '{{{body}}}{{{contact.bio}}}',
        'partials/bad.hbs': '{{{body}}}',
      }),
    ).toEqual([
      'templates/cart/html.hbs:2:2 unescaped output of contact.first_name ({{{…}}} or {{&…}}) could let contact or event data inject HTML — write {{contact.first_name}}: only layouts may use {{{body}}}',
      'templates/cart/html.hbs:2:27 unescaped output of trigger.note ({{{…}}} or {{&…}}) could let contact or event data inject HTML — write {{trigger.note}}: only layouts may use {{{body}}}',
      'templates/layouts/raw.hbs:1:11 unescaped output of contact.bio ({{{…}}} or {{&…}}) could let contact or event data inject HTML — write {{…}}; the only unescaped output allowed is {{{body}}} in a layout',
      'templates/partials/bad.hbs:1:1 unescaped output of body ({{{…}}} or {{&…}}) could let contact or event data inject HTML — write {{body}}: only layouts may use {{{body}}}',
    ]);
  });

  it('checks meta.yaml, locale folders and missing parts', () => {
    expect(
      check({
        ...base,
        'cart/html.hbs': 'x',
        'cart/meta.yaml': 'layout: fancy\npreheadr: x\n',
        'cart/pl/html.hbs': '{{nope 1}}',
        'cart/xx_1/html.hbs': 'x',
        'solo/text.hbs': 'x',
        'empty/meta.yaml': 'layout: none\n',
        'noparts/subject.hbs': 's',
      }),
    ).toEqual([
      'templates/cart/meta.yaml:1:9 layout: no templates/layouts/fancy.hbs — have: default',
      'templates/cart/meta.yaml:2:1 unknown key "preheadr" in meta.yaml — did you mean "preheader"?',
      'templates/cart/pl/html.hbs:1:3 unknown helper "nope" — helpers are default, upper, lower, capitalize, pluralize, money, date, eq, gt, and, or, recommend, view_in_browser_url, if, unless, each, with, lookup or log',
      'templates/cart/xx_1:1:1 "xx_1" is not a locale folder — name locale variants like pl or pt-BR',
      'templates/noparts/html.hbs:1:1 template "noparts" has no html.hbs nor text.hbs — add html.hbs (text is then derived from it) or text.hbs for a plain-text message',
      'templates/solo/subject.hbs:1:1 template "solo" has no subject.hbs — every template needs subject.hbs, and html.hbs or text.hbs',
    ]);
  });
});

describe('compileProject refuses broken templates', () => {
  it('reports template errors with the campaign diagnostics, paths relative to the project', async () => {
    const root = mkdtempSync(join(tmpdir(), 'almanac-project-'));
    cpSync(join(sampleTemplatesDir, '..', 'campaigns'), join(root, 'campaigns'), { recursive: true });
    cpSync(sampleTemplatesDir, join(root, 'templates'), { recursive: true });
    const ok = await compileProject({ campaignsDir: join(root, 'campaigns'), templatesDir: join(root, 'templates'), displayRoot: root });
    expect(ok.ok).toBe(true);
    writeFileSync(join(root, 'templates', 'cart-reminder', 'html.hbs'), '<p>{{monye cart.total}}</p>');
    const bad = await compileProject({ campaignsDir: join(root, 'campaigns'), templatesDir: join(root, 'templates'), displayRoot: root });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map(formatDiagnostic)).toEqual([
      'templates/cart-reminder/html.hbs:1:6 unknown helper "monye" — did you mean "money"?',
    ]);
  });
});
