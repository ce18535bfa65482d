import { join } from 'node:path';
import Handlebars from 'handlebars';
import { formatDiagnostic } from '../dsl/diagnostics';
import { createHelpers } from './helpers';
import { interpretTemplate } from './interpret';
import { htmlToText } from './html-to-text';
import { parseMeta } from './meta';
import { TEMPLATE_NAME, type TemplateTree, chooseFiles, hbsNames, localeChain } from './template-files';
import type { RenderData, RenderError, RenderOptions, RenderedMessage, Renderer, TemplateMeta } from './types';

type Compiled = (data: object) => string;

interface TemplateSet {
  ok: true;
  subject: Compiled;
  /** Absent: a text-only message (no HTML part, no layout). */
  html?: Compiled;
  /** Absent: the text part is derived from the HTML. */
  text?: Compiled;
  layout?: Compiled;
  /** `layouts/NAME.txt.hbs` beside the HTML layout: wraps a text.hbs part (its footer: unsubscribe, address). */
  textLayout?: Compiled;
  preheader?: Compiled;
  meta: TemplateMeta;
}

/**
 * Renders template sets: `templates/NAME/{subject,html,text}.hbs` with an optional `meta.yaml`,
 * per-locale variants in `NAME/pl/…` (chosen from `contact.locale`, file by file, see
 * template-files.ts), an HTML layout from `templates/layouts/` wrapping the body through
 * `{{{body}}}` (translated layouts in `layouts/pl/…` likewise), and the partials of
 * `templates/partials/`.
 *
 * One handlebars environment per renderer and output kind, i.e. per templates folder (HTML,
 * and text for subject/text/preheader; helpers and partials registered on them, never on the
 * global); each file is read and compiled once, each set (name ×
 * locale) assembled once, and both cached for the renderer's life — a changed file needs a new
 * renderer (a restart). Files come through `tree` (./file-tree.ts on Node: `createRenderer` in
 * ./renderer-files.ts), so this file needs no file system. HTML and layouts escape by default; subject, text and preheader are not
 * HTML, so they are not entity-escaped (a subject is made one line, so data cannot inject
 * headers). Prototype access stays at handlebars' default: denied. Every failure, from a missing
 * file to a helper that throws, comes back as a `RenderError` naming the file.
 */
export function createTreeRenderer(options: {
  templatesDir: string;
  tree: TemplateTree;
  /**
   * `compile` (default): Handlebars.compile, which generates code. `interpret`: the same templates
   * walked without code generation (./interpret.ts), for runtimes that forbid it (Workers).
   */
  engine?: 'compile' | 'interpret';
}): Renderer {
  const { templatesDir: dir, tree } = options;
  // Two environments: a partial is compiled once per environment, in the escaping mode of the
  // template that first uses it, so HTML and text (or subject) must not share one.
  const envs = { html: Handlebars.create(), text: Handlebars.create() };
  const helpers = createHelpers();
  for (const env of Object.values(envs)) env.registerHelper(helpers);
  let prepared = false;
  const files = new Map<string, Compiled>();
  const sets = new Map<string, TemplateSet | RenderError>();
  const subjects = new Map<string, Compiled>();

  const compile = (source: string, escape: boolean): Compiled =>
    options.engine === 'interpret'
      ? interpretTemplate(source, escape ? envs.html : envs.text, { escape })
      : (escape ? envs.html : envs.text).compile(source, { noEscape: !escape });

  function compileFile(file: string, escape: boolean): Compiled {
    const key = `${escape ? 'h' : 't'}:${file}`;
    let fn = files.get(key);
    if (!fn) {
      fn = named(file, compile(tree.read(file), escape));
      files.set(key, fn);
    }
    return fn;
  }

  function registerPartials(): void {
    if (prepared) return;
    prepared = true;
    const partialsDir = join(dir, 'partials');
    for (const name of hbsNames(tree, partialsDir)) {
      const source = tree.read(join(partialsDir, `${name}.hbs`));
      for (const env of Object.values(envs)) env.registerPartial(name, source);
    }
  }

  function assemble(template: string, locale: unknown): TemplateSet | RenderError {
    const { parts, metas } = chooseFiles(tree, dir, template, locale);
    if (!parts.subject)
      return fail(
        template,
        `${join(dir, template, 'subject.hbs')} is missing (every template needs subject.hbs, and html.hbs or text.hbs)`,
      );
    if (!parts.html && !parts.text)
      return fail(template, `${join(dir, template, 'html.hbs')} is missing (every template needs html.hbs or text.hbs)`);
    let meta: TemplateMeta = {};
    for (const file of metas) {
      const parsed = parseMeta(file, tree.read(file));
      if (parsed.diagnostics.length) return fail(template, parsed.diagnostics.map(formatDiagnostic).join('; '));
      meta = { ...meta, ...parsed.meta };
    }
    const layoutName = meta.layout ?? (tree.exists(join(dir, 'layouts', 'default.hbs')) ? 'default' : 'none');
    // A layout may be translated too: layouts/pl/default.hbs for Polish contacts.
    const layoutFile = [
      ...localeChain(locale).map((l) => join(dir, 'layouts', l, `${layoutName}.hbs`)),
      join(dir, 'layouts', `${layoutName}.hbs`),
    ].find((f) => tree.exists(f));
    if (layoutName !== 'none' && !layoutFile)
      return fail(template, `${join(dir, 'layouts', `${layoutName}.hbs`)} is missing (named by layout: in meta.yaml)`);
    const textLayoutFile =
      layoutName === 'none'
        ? undefined
        : [
            ...localeChain(locale).map((l) => join(dir, 'layouts', l, `${layoutName}.txt.hbs`)),
            join(dir, 'layouts', `${layoutName}.txt.hbs`),
          ].find((f) => tree.exists(f));
    return {
      ok: true,
      subject: compileFile(parts.subject!, false),
      ...(parts.html ? { html: compileFile(parts.html, true) } : {}),
      ...(parts.text ? { text: compileFile(parts.text, false) } : {}),
      ...(layoutName !== 'none' && layoutFile ? { layout: compileFile(layoutFile, true) } : {}),
      ...(textLayoutFile ? { textLayout: compileFile(textLayoutFile, false) } : {}),
      ...(meta.preheader ? { preheader: named(`${template} meta.yaml preheader`, compile(meta.preheader, false)) } : {}),
      meta,
    };
  }

  function load(template: string, locale: unknown): TemplateSet | RenderError {
    if (!TEMPLATE_NAME.test(template)) return fail(template, `"${template}" is not a template name (letters, digits, - and _)`);
    const key = `${template}\u0000${localeChain(locale).join(',')}`;
    let set = sets.get(key);
    if (!set) {
      registerPartials();
      try {
        set = assemble(template, locale);
      } catch (err) {
        set = fail(template, (err as Error).message);
      }
      sets.set(key, set);
    }
    return set;
  }

  function subjectOverride(source: string): Compiled {
    let compiled = subjects.get(source);
    if (!compiled) {
      compiled = named('subject override', compile(source, false));
      subjects.set(source, compiled);
    }
    return compiled;
  }

  return {
    render(template: string, data: RenderData, renderOptions: RenderOptions = {}): RenderedMessage | RenderError {
      const set = load(template, data.contact?.locale);
      if (!set.ok) return set;
      try {
        const subject = oneLine((renderOptions.subject === undefined ? set.subject : subjectOverride(renderOptions.subject))(data));
        const preheader = set.preheader ? oneLine(set.preheader(data)) : '';
        const body = set.html ? set.html(data) : '';
        const html = set.layout && set.html ? set.layout({ ...data, body, subject, preheader }) : body;
        // A text part of its own goes into the text layout; one derived from the HTML already has the HTML layout's footer.
        const textBody = set.text ? set.text(data).trim() : undefined;
        const text =
          textBody === undefined
            ? htmlToText(html)
            : set.textLayout
              ? set.textLayout({ ...data, body: textBody, subject }).trim()
              : textBody;
        const { from, reply_to: replyTo, purpose } = set.meta;
        return {
          ok: true,
          subject,
          html,
          text,
          ...(preheader ? { preheader } : {}),
          ...(from ? { from } : {}),
          ...(replyTo ? { replyTo } : {}),
          ...(purpose ? { purpose } : {}),
        };
      } catch (err) {
        return fail(template, (err as Error).message);
      }
    },
  };
}

const fail = (template: string, message: string): RenderError => ({ ok: false, template, message });

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Prefix errors with the file, so "Parse error on line 2" says which file. Compilation is lazy in handlebars, so syntax errors surface here too. */
function named(file: string, fn: Compiled): Compiled {
  return (data) => {
    try {
      return fn(data);
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
    }
  };
}
