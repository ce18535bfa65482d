import { fileTree } from './file-tree';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { didYouMean, listing } from '../dsl/suggest';
import type { Diagnostic } from '../dsl/diagnostics';
import { type HbsNode, nodes, parseTemplate } from './hbs-syntax';
import { builtinHelpers, HELPER_NAMES } from './helpers';
import { parseMeta } from './meta';
import { LOCALE_FOLDER, PARTS, TEMPLATE_NAME, hbsNames } from './template-files';

type Kind = 'part' | 'layout' | 'partial';
const KNOWN_HELPERS = [...HELPER_NAMES, ...builtinHelpers];

/**
 * `almanac validate` for `templates/`: every `.hbs` file parses; every helper called exists
 * (ours or handlebars' built-ins); every partial named exists in `templates/partials/`; no
 * unescaped output (`{{{x}}}` or `{{&x}}`) anywhere except `{{{body}}}` in a layout; each layout
 * outputs `{{{body}}}`; `meta.yaml` files are valid; a template folder has subject.hbs and
 * html.hbs or text.hbs (the same rule the compiler uses to list templates). Locale folders (`NAME/pl/`, `layouts/pl/`) are checked like the rest. Diagnostics are
 * `templates/NAME/html.hbs:LINE:COL message — hint`, paths relative to `displayRoot` (default
 * the working directory), the same shape as campaign errors.
 */
export function validateTemplates(templatesDir: string, displayRoot: string = process.cwd()): Diagnostic[] {
  const show = (file: string) => relative(resolve(displayRoot), resolve(file)).split(sep).join('/');
  const out: Diagnostic[] = [];
  const err = (file: string, line: number, col: number, message: string, hint?: string) =>
    out.push({ file: show(file), line, col, severity: 'error', message, ...(hint ? { hint } : {}) });
  const partials = hbsNames(fileTree, join(templatesDir, 'partials'));
  const layouts = hbsNames(fileTree, join(templatesDir, 'layouts'));

  const checkFile = (file: string, kind: Kind) => checkTemplate(file, readFileSync(file, 'utf8'), kind, partials, err);
  for (const name of layouts) checkFile(join(templatesDir, 'layouts', `${name}.hbs`), 'layout');
  for (const locale of subfolders(join(templatesDir, 'layouts'))) {
    if (!LOCALE_FOLDER.test(locale))
      err(
        join(templatesDir, 'layouts', locale),
        1,
        1,
        `"${locale}" is not a locale folder`,
        'translated layouts live in layouts/pl/, layouts/pt-BR/, …',
      );
    else
      for (const name of hbsNames(fileTree, join(templatesDir, 'layouts', locale)))
        checkFile(join(templatesDir, 'layouts', locale, `${name}.hbs`), 'layout');
  }
  for (const name of partials) checkFile(join(templatesDir, 'partials', `${name}.hbs`), 'partial');

  for (const name of subfolders(templatesDir)) {
    if (name === 'layouts' || name === 'partials') continue;
    const folder = join(templatesDir, name);
    if (!TEMPLATE_NAME.test(name)) {
      err(folder, 1, 1, `"${name}" is not a template name`, 'use letters, digits, - and _');
      continue;
    }
    const own = hbsNames(fileTree, folder);
    if (own.length > 0 && !own.includes('subject'))
      err(
        join(folder, 'subject.hbs'),
        1,
        1,
        `template "${name}" has no subject.hbs`,
        'every template needs subject.hbs, and html.hbs or text.hbs',
      );
    if (own.length > 0 && !own.includes('html') && !own.includes('text'))
      err(
        join(folder, 'html.hbs'),
        1,
        1,
        `template "${name}" has no html.hbs nor text.hbs`,
        'add html.hbs (text is then derived from it) or text.hbs for a plain-text message',
      );
    const locales = subfolders(folder);
    for (const sub of locales) {
      if (!LOCALE_FOLDER.test(sub))
        err(join(folder, sub), 1, 1, `"${sub}" is not a locale folder`, 'name locale variants like pl or pt-BR');
    }
    for (const dir of [folder, ...locales.filter((l) => LOCALE_FOLDER.test(l)).map((l) => join(folder, l))]) {
      for (const file of hbsNames(fileTree, dir)) {
        const path = join(dir, `${file}.hbs`);
        if (!(PARTS as readonly string[]).includes(file))
          err(path, 1, 1, `"${file}.hbs" is not a template part`, didYouMean(file, PARTS, `name it ${listing([...PARTS])}.hbs`));
        else checkFile(path, 'part');
      }
      const meta = join(dir, 'meta.yaml');
      if (existsSync(meta)) out.push(...parseMeta(show(meta), readFileSync(meta, 'utf8'), layouts).diagnostics);
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

type Report = (file: string, line: number, col: number, message: string, hint?: string) => void;

/** The checks of one file (exported for tests and editors). */
export function checkTemplate(file: string, source: string, kind: Kind, partials: readonly string[], report: Report): void {
  const parsed = parseTemplate(source);
  if (!parsed.ok) {
    report(file, parsed.line, parsed.col, parsed.message, 'close every {{ with }}, and every {{#block}} with its {{/block}}');
    return;
  }
  const at = (n: HbsNode | undefined) => ({ line: n?.loc?.start.line ?? 1, col: (n?.loc?.start.column ?? 0) + 1 });
  let outputsBody = false;
  for (const node of nodes(parsed.ast)) {
    const path = node.path as HbsNode | undefined;
    const name = path?.type === 'PathExpression' ? String(path.original) : undefined;
    if (node.type === 'MustacheStatement' && node.escaped === false) {
      const isBody = kind === 'layout' && name === 'body' && (node.params as unknown[]).length === 0;
      outputsBody ||= isBody;
      if (!isBody) {
        const { line, col } = at(node);
        report(
          file,
          line,
          col,
          `unescaped output of ${name ?? 'an expression'} ({{{…}}} or {{&…}}) could let contact or event data inject HTML`,
          kind === 'layout'
            ? 'write {{…}}; the only unescaped output allowed is {{{body}}} in a layout'
            : `write {{${name ?? '…'}}}: only layouts may use {{{body}}}`,
        );
      }
    }
    if (['MustacheStatement', 'BlockStatement', 'SubExpression'].includes(node.type) && name && isHelperCall(node, path!)) {
      if (!KNOWN_HELPERS.includes(name)) {
        const { line, col } = at(path);
        report(file, line, col, `unknown helper "${name}"`, didYouMean(name, KNOWN_HELPERS, `helpers are ${listing(KNOWN_HELPERS)}`));
      }
    }
    if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') {
      const partial = node.name as HbsNode;
      const pname = partial.type === 'PathExpression' || partial.type === 'StringLiteral' ? String(partial.original) : undefined;
      if (pname && pname !== '@partial-block' && !partials.includes(pname)) {
        const { line, col } = at(partial);
        report(
          file,
          line,
          col,
          `unknown partial "${pname}"`,
          didYouMean(pname, partials, `add templates/partials/${pname}.hbs${partials.length ? ` (have: ${listing([...partials])})` : ''}`),
        );
      }
    }
  }
  if (kind === 'layout' && !outputsBody)
    report(file, 1, 1, 'layout never outputs {{{body}}}', 'put {{{body}}} where the message body goes');
}

/** `{{x a}}`, `{{x k=v}}`, `(x)` and `{{#x a}}` call a helper; a bare `{{x}}` / `{{#x}}` may just read data. */
function isHelperCall(node: HbsNode, path: HbsNode): boolean {
  if (path.data || path.this === true || (path.depth as number) > 0 || (path.parts as unknown[]).length !== 1) return false;
  const params = (node.params as unknown[] | undefined) ?? [];
  return node.type === 'SubExpression' || params.length > 0 || node.hash !== undefined;
}

function subfolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}
