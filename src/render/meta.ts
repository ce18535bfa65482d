import { isMap, isScalar } from 'yaml';
import type { Diagnostic } from '../dsl/diagnostics';
import { didYouMean, listing } from '../dsl/suggest';
import { describe, error, parseSource } from '../dsl/source';
import { addressProblem } from '../contacts/address';
import type { TemplateMeta } from './types';

const KEYS = ['from', 'reply_to', 'purpose', 'preheader', 'layout'] as const;
const LAYOUT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const PURPOSE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;

/**
 * `templates/NAME/meta.yaml` (and `NAME/pl/meta.yaml`, merged over it key by key):
 *
 * ```yaml
 * from: Shop <news@shop.example>     # overrides MAIL_FROM for this template
 * reply_to: help@shop.example
 * purpose: email.marketing           # documents the consent purpose the template is written for
 * preheader: Your cart is waiting, {{default contact.first_name "there"}}   # handlebars, text
 * layout: default                    # layouts/NAME.hbs, or `none`
 * ```
 *
 * Every problem is a diagnostic at the key or value at fault (file:line:col), the same shape as
 * campaign errors. `layouts` (when given) are the names in templates/layouts/, to check `layout:`.
 */
export function parseMeta(file: string, text: string, layouts?: readonly string[]): { meta: TemplateMeta; diagnostics: Diagnostic[] } {
  const source = parseSource(file, text);
  const meta: TemplateMeta = {};
  const root = source.doc.contents;
  if (source.diagnostics.length || root === null) return { meta, diagnostics: source.diagnostics };
  if (!isMap(root)) {
    error(source, root, `expected a map of ${listing([...KEYS])}, got ${describe(root)}`);
    return { meta, diagnostics: source.diagnostics };
  }
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value;
    if (!(KEYS as readonly string[]).includes(key)) {
      error(source, pair.key as never, `unknown key "${key}" in meta.yaml`, didYouMean(key, KEYS, `expected one of ${listing([...KEYS])}`));
      continue;
    }
    if (!isScalar(value) || typeof value.value !== 'string' || value.value.trim() === '') {
      error(source, (value ?? pair.key) as never, `${key}: expected text, got ${describe((value ?? null) as never)}`);
      continue;
    }
    const v = value.value.trim();
    const problem = checkValue(key as (typeof KEYS)[number], v, layouts);
    if (problem) error(source, value, problem.message, problem.hint);
    else meta[key as (typeof KEYS)[number]] = v;
  }
  return { meta, diagnostics: source.diagnostics };
}

function checkValue(key: (typeof KEYS)[number], v: string, layouts?: readonly string[]): { message: string; hint?: string } | undefined {
  if (key === 'from' || key === 'reply_to') {
    const address = /<([^<>]*)>\s*$/.exec(v)?.[1] ?? v;
    const problem = addressProblem(address);
    return problem ? { message: `${key}: ${problem}`, hint: 'write an address such as "Shop <news@shop.example>"' } : undefined;
  }
  if (key === 'purpose' && !PURPOSE.test(v))
    return { message: `purpose: "${v}" is not a purpose name`, hint: 'write it like email.marketing or email.transactional' };
  if (key === 'layout' && v !== 'none') {
    if (!LAYOUT_NAME.test(v))
      return { message: `layout: "${v}" is not a layout name`, hint: 'name a file in templates/layouts/ without .hbs, or none' };
    if (layouts && !layouts.includes(v)) {
      return {
        message: `layout: no templates/layouts/${v}.hbs`,
        hint: didYouMean(v, layouts, layouts.length ? `have: ${listing([...layouts])}` : 'add the file, or write layout: none'),
      };
    }
  }
  return undefined;
}
