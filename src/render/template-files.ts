import { join } from 'node:path';
import { canonicalLocale } from './helper-args';

/**
 * Where template sources are read: the folder on disk (./file-tree.ts) or, on Workers, what
 * `apply` stored. Paths are joined with `node:path` `join` under the templates root.
 */
export interface TemplateTree {
  exists(path: string): boolean;
  read(path: string): string;
  /** The names of the files directly in `dir`; none when it does not exist. */
  files(dir: string): string[];
}

export const PARTS = ['subject', 'html', 'text'] as const;
export type Part = (typeof PARTS)[number];

/** A locale folder name: `pl`, `pt-BR`, `zh-Hant-TW`. */
export const LOCALE_FOLDER = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A template file's path relative to templates/ as apply stores it: `welcome/pl/html.hbs`, `layouts/default.txt.hbs`. */
const TEMPLATE_PATH = /^([A-Za-z0-9][A-Za-z0-9._-]*\/)*[A-Za-z0-9][A-Za-z0-9._-]*\.(hbs|ya?ml)$/;
export const TEMPLATE_PATH_RULE = 'folders and a file name of letters, digits, ".", "-" and "_", ending .hbs or .yaml';
export const isTemplatePath = (path: string) => path.length <= 300 && TEMPLATE_PATH.test(path);

/** Folders to try for a contact's locale, most specific first: `pl_PL` → `pl-PL`, `pl`. */
export function localeChain(locale: unknown): string[] {
  const tag = canonicalLocale(locale);
  if (!tag) return [];
  const subtags = tag.split('-');
  const chain: string[] = [];
  for (let i = subtags.length; i >= 1; i--) chain.push(subtags.slice(0, i).join('-'));
  return chain.filter((c) => LOCALE_FOLDER.test(c));
}

export interface ChosenFiles {
  /** The file used for each part; `text` absent → derive it from the HTML. */
  parts: Partial<Record<Part, string>>;
  /** meta.yaml files that apply, least specific first (later ones override earlier keys). */
  metas: string[];
}

/**
 * Which files render template `name` for a contact: each part from the most specific folder that
 * has it (`NAME/pl-PL/`, `NAME/pl/`, then `NAME/`), so a translation may cover only the subject.
 * One exception: when the HTML is a translation and text.hbs is not, the text part is derived
 * from the translated HTML rather than mixing languages in one message.
 */
export function chooseFiles(tree: TemplateTree, templatesDir: string, name: string, locale: unknown): ChosenFiles {
  const folders = [...localeChain(locale).map((l) => join(templatesDir, name, l)), join(templatesDir, name)];
  const parts: Partial<Record<Part, string>> = {};
  const depth: Partial<Record<Part, number>> = {};
  for (const part of PARTS) {
    const i = folders.findIndex((f) => tree.exists(join(f, `${part}.hbs`)));
    if (i >= 0) {
      parts[part] = join(folders[i]!, `${part}.hbs`);
      depth[part] = i;
    }
  }
  if (parts.text && parts.html && depth.text! > depth.html!) delete parts.text;
  const metas = folders
    .map((f) => join(f, 'meta.yaml'))
    .filter((f) => tree.exists(f))
    .reverse();
  return { parts, metas };
}

/** `*.hbs` names (without the extension) directly in `dir`; none when it does not exist. */
export function hbsNames(tree: TemplateTree, dir: string): string[] {
  return tree
    .files(dir)
    .filter((name) => name.endsWith('.hbs'))
    .map((name) => name.slice(0, -4))
    .sort();
}
