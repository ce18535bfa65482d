import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { helpers } from './helpers';
import { htmlToText } from './html-to-text';
import type { RenderData, RenderError, RenderOptions, RenderedMessage, Renderer } from './types';

type Compiled = (data: RenderData) => string;

interface TemplateSet {
  subject: Compiled;
  html: Compiled;
  /** Absent: the text part is derived from the HTML. */
  text?: Compiled;
}

const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * Renders `templates/NAME/{subject,html,text}.hbs`. One handlebars environment per renderer
 * (helpers registered on it, never on the global), each template read and compiled once and
 * cached. HTML escapes by default; subject and text are not HTML, so they are not entity-escaped
 * (a subject is made one line, so data cannot inject headers). Every failure, from a missing
 * file to a helper that throws, comes back as a `RenderError` naming the file.
 */
export function createRenderer(options: { templatesDir: string }): Renderer {
  const hbs = Handlebars.create();
  hbs.registerHelper(helpers);
  const sets = new Map<string, TemplateSet>();
  const subjects = new Map<string, Compiled>();

  const compile = (source: string, escape: boolean): Compiled => hbs.compile(source, { noEscape: !escape });

  function load(template: string): TemplateSet | RenderError {
    const cached = sets.get(template);
    if (cached) return cached;
    if (!TEMPLATE_NAME.test(template)) return fail(template, `"${template}" is not a template name (letters, digits, - and _)`);
    const file = (part: string) => join(options.templatesDir, template, `${part}.hbs`);
    for (const part of ['subject', 'html']) {
      if (!existsSync(file(part))) return fail(template, `${file(part)} is missing (every template needs subject.hbs and html.hbs)`);
    }
    const read = (part: string) => readFileSync(file(part), 'utf8');
    const set: TemplateSet = {
      subject: named(file('subject'), compile(read('subject'), false)),
      html: named(file('html'), compile(read('html'), true)),
      ...(existsSync(file('text')) ? { text: named(file('text'), compile(read('text'), false)) } : {}),
    };
    sets.set(template, set);
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
      const set = load(template);
      if ('ok' in set) return set;
      try {
        const subject = (renderOptions.subject === undefined ? set.subject : subjectOverride(renderOptions.subject))(data);
        const html = set.html(data);
        const text = set.text ? set.text(data).trim() : htmlToText(html);
        return { ok: true, subject: subject.replace(/\s+/g, ' ').trim(), html, text };
      } catch (err) {
        return fail(template, (err as Error).message);
      }
    },
  };
}

const fail = (template: string, message: string): RenderError => ({ ok: false, template, message });

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
