import { parse } from 'yaml';
import type { Entry } from './entry';
import { contextOf } from './examples';
import type { Namespace, SchemaKey } from './schema-keys';
import { attributeOps, campaignKeys, conditionHeads, countOps, stepKinds, stepSiblings, triggerKinds } from '../vocabulary';

const ENTRIES = 'src/dsl/compile/reference/entries.ts';
const VOCABULARY = 'src/dsl/compile/vocabulary.ts';

/** The surface file each section's keys are defined in. */
export const surfaceFile: Record<Namespace, string> = {
  campaign: 'src/dsl/compile/surface/campaign.ts',
  trigger: 'src/dsl/compile/surface/campaign.ts',
  step: 'src/dsl/compile/surface/campaign.ts',
  condition: 'src/dsl/compile/surface/condition.ts',
  segments: 'src/dsl/compile/surface/calendar.ts',
  calendar: 'src/dsl/compile/surface/calendar.ts',
  value: 'src/dsl/compile/surface/scalars.ts',
};

/** Every key the YAML of an example writes, at any depth. */
function keysIn(example: string): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.add(k);
        visit(x);
      }
  };
  try {
    visit(parse(example));
  } catch {
    // not YAML: the example test says where
  }
  return out;
}

/**
 * What keeps docs/dsl.md from covering the schema surface, each a line naming the key and the file
 * to fix: a key with no entry or no example in sight, an entry for no key, a value type without
 * its words, and the compiler's closed word lists (src/dsl/compile/vocabulary.ts) disagreeing
 * with the surface (a step the compiler takes but the schema lacks would be missing from the
 * JSON Schema and from this reference alike).
 */
export function referenceGaps(keys: SchemaKey[], entries: Record<string, Entry>): string[] {
  const gaps: string[] = [];
  const byPath = new Map(keys.map((k) => [k.path, k]));
  for (const key of keys) {
    const entry = entries[key.path];
    const where = `${key.path} (${surfaceFile[key.namespace]})`;
    if (!entry) {
      gaps.push(
        `${where} has no entry: add '${key.path}': { meaning: '…', example: '…' } to ${ENTRIES} (a one-line meaning and a YAML example)`,
      );
      continue;
    }
    if (!entry.meaning.trim()) gaps.push(`${where}: its entry in ${ENTRIES} has an empty meaning`);
    if (key.namespace === 'value' && !entry.name)
      gaps.push(`${where}: its entry in ${ENTRIES} needs name: { one, many } (how the reference calls it)`);
    if (entry.example !== undefined && !contextOf(key.namespace, entry))
      gaps.push(`${where}: its entry in ${ENTRIES} has an example but no in: (campaign, steps, audience, segments or calendar)`);
    if (key.depth === 0 && key.namespace !== 'value') continue;
    if (key.depth === 1 || key.namespace === 'value') {
      if (entry.example === undefined) gaps.push(`${where} has no example: add example: '…' to its entry in ${ENTRIES}`);
      continue;
    }
    // A deeper key may be shown by the example of the key it sits under.
    const name = key.path.split('.').at(-1)!;
    const parts = key.path.split('.');
    const shown =
      entry.example !== undefined ||
      parts.slice(2).some((_, i) => {
        const example = entries[parts.slice(0, parts.length - 1 - i).join('.')]?.example;
        return example !== undefined && keysIn(example).has(name);
      });
    if (!shown) gaps.push(`${where} appears in no example: add example: '…' to its entry in ${ENTRIES}, or show ${name}: in its parent's`);
  }
  for (const path of Object.keys(entries))
    if (!byPath.has(path))
      gaps.push(
        `${ENTRIES}: the entry '${path}' is for no key of the schema surface (src/dsl/compile/surface/): remove it or fix its path`,
      );
  return [...gaps, ...vocabularyGaps(keys)];
}

function vocabularyGaps(keys: SchemaKey[]): string[] {
  const under = (parent: string, roles: SchemaKey['role'][]) =>
    keys
      .filter((k) => k.path.startsWith(`${parent}.`) && k.depth === parent.split('.').length && roles.includes(k.role))
      .map((k) => k.path.split('.').at(-1)!);
  const lists: Array<{ list: string; words: readonly string[]; parent: string; surface: string[]; what: string }> = [
    { list: 'campaignKeys', words: campaignKeys, parent: 'campaign', surface: under('campaign', ['key']), what: 'campaign key' },
    { list: 'triggerKinds', words: triggerKinds, parent: 'trigger', surface: under('trigger', ['variant']), what: 'trigger' },
    { list: 'stepKinds', words: stepKinds, parent: 'step', surface: under('step', ['variant']), what: 'step' },
    ...stepKinds.map((kind) => ({
      list: `stepSiblings.${kind}`,
      words: stepSiblings[kind],
      parent: `step.${kind}`,
      surface: [...under('step', ['shared']), ...under(`step.${kind}`, ['sibling'])],
      what: `key beside ${kind}`,
    })),
    { list: 'conditionHeads', words: conditionHeads, parent: 'condition', surface: under('condition', ['variant']), what: 'condition' },
    {
      list: 'attributeOps',
      words: attributeOps,
      parent: 'condition.attribute',
      surface: under('condition.attribute', ['sibling']),
      what: 'operator',
    },
    {
      list: 'countOps',
      words: countOps,
      parent: 'condition.event.count',
      surface: under('condition.event.count', ['variant']),
      what: 'count operator',
    },
  ];
  const gaps: string[] = [];
  for (const { list, words, parent, surface, what } of lists) {
    const file = surfaceFile[parent.split('.')[0] as Namespace];
    for (const w of words.filter((w) => !surface.includes(w)))
      gaps.push(
        `${VOCABULARY} ${list} has the ${what} "${w}" but the schema surface does not (${parent}.${w}): add it to ${file} — the JSON Schema and docs/dsl.md are made from it`,
      );
    for (const w of surface.filter((w) => !words.includes(w)))
      gaps.push(`the schema surface has ${parent}.${w} (${file}) but ${VOCABULARY} ${list} lacks "${w}": the compiler would refuse it`);
  }
  return gaps;
}
