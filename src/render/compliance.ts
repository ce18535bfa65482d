import { fileTree } from './file-tree';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseMeta } from './meta';
import { chooseFiles, LOCALE_FOLDER, TEMPLATE_NAME } from './template-files';

/** What a marketing message must show, and the expression that shows it. */
export const REQUIRED_IN_MARKETING = [
  { what: 'unsubscribe link', expression: 'send.unsubscribe_url' },
  { what: 'postal address', expression: 'sender.postal_address' },
] as const;

/** A part of a template (per locale) that lacks something marketing mail must show. */
export interface ComplianceGap {
  template: string;
  /** The file to add it to (the part; its layout would do as well), relative to `displayRoot`. */
  file: string;
  what: string;
  expression: string;
}

/**
 * For each template: what its rendered message would lack if sent as marketing. Each part that is
 * rendered from a file of its own — html.hbs with its layout, text.hbs with its text layout
 * (`layouts/NAME.txt.hbs`), in every locale folder — must reference `send.unsubscribe_url` and
 * `sender.postal_address`, in the part, its layout or a partial it includes. A text part derived
 * from the HTML carries the HTML's footer. Static (the sources are searched, nothing rendered), so
 * `almanac validate` can refuse a marketing campaign before anything is sent. Transactional
 * campaigns are not held to it (compile decides which campaigns are marketing).
 */
export function complianceGaps(templatesDir: string, displayRoot: string = process.cwd()): Map<string, ComplianceGap[]> {
  const show = (file: string) => relative(resolve(displayRoot), resolve(file)).split(sep).join('/');
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const partials = (text: string) =>
    [...text.matchAll(/\{\{#?>\s*([A-Za-z0-9_\-/]+)/g)].map((m) => read(join(templatesDir, 'partials', `${m[1]}.hbs`))).join('\n');
  const out = new Map<string, ComplianceGap[]>();
  if (!existsSync(templatesDir)) return out;
  for (const entry of readdirSync(templatesDir, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isDirectory() || name === 'layouts' || name === 'partials' || !TEMPLATE_NAME.test(name)) continue;
    const locales = readdirSync(join(templatesDir, name), { withFileTypes: true })
      .filter((e) => e.isDirectory() && LOCALE_FOLDER.test(e.name))
      .map((e) => e.name);
    const gaps: ComplianceGap[] = [];
    const seen = new Set<string>();
    for (const locale of [undefined, ...locales]) {
      const { parts, metas } = chooseFiles(fileTree, templatesDir, name, locale);
      let layout: string | undefined;
      for (const m of metas) layout = parseMeta(m, read(m)).meta.layout ?? layout;
      const layoutName = layout ?? (existsSync(join(templatesDir, 'layouts', 'default.hbs')) ? 'default' : 'none');
      const layoutFile = (ext: string) =>
        layoutName === 'none'
          ? undefined
          : [
              ...(locale ? [join(templatesDir, 'layouts', locale, `${layoutName}${ext}`)] : []),
              join(templatesDir, 'layouts', `${layoutName}${ext}`),
            ].find((f) => existsSync(f));
      const checks: Array<[string | undefined, string | undefined]> = [
        [parts.html, parts.html ? layoutFile('.hbs') : undefined],
        [parts.text, parts.text ? layoutFile('.txt.hbs') : undefined],
      ];
      for (const [part, wrapper] of checks) {
        if (!part || seen.has(part)) continue;
        seen.add(part);
        const own = read(part);
        const text = [own, partials(own), ...(wrapper ? [read(wrapper), partials(read(wrapper))] : [])].join('\n');
        for (const r of REQUIRED_IN_MARKETING) {
          if (!text.includes(r.expression)) gaps.push({ template: name, file: show(part), what: r.what, expression: r.expression });
        }
      }
    }
    if (gaps.length) out.set(name, gaps);
  }
  return out;
}
