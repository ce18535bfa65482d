import { z } from 'zod';
import { calendarFile, segmentsFile } from '../surface/calendar';
import { campaignFile, step } from '../surface/campaign';
import { condition } from '../surface/condition';
import * as scalars from '../surface/scalars';

/**
 * Every key of the DSL's YAML surface, read off the zod schemas in src/dsl/compile/surface/ (the
 * ones the JSON Schema is generated from), so the reference can demand an entry for each.
 *
 * Paths are dotted, in one namespace per section of docs/dsl.md. A key of a map is `parent.key`;
 * a union of maps (a trigger, a step, a condition, a blackout…) gives the keys every shape shares
 * at `parent.key` (`step.id`) and, per shape, its first other key as a variant (`step.wait_until`)
 * with that shape's remaining keys under it (`step.wait_until.on_timeout`). Lists and maps of
 * named things (`split:`) add no segment. The scalars of surface/scalars.ts are `value.NAME`.
 */
export const namespaces = ['campaign', 'trigger', 'step', 'condition', 'segments', 'calendar', 'value'] as const;
export type Namespace = (typeof namespaces)[number];

export interface SchemaKey {
  path: string;
  namespace: Namespace;
  /** 0 for a namespace itself, 1 for `step.wait`, 2 for `step.wait_until.timeout`, … */
  depth: number;
  /** key: of a map; variant: the key naming one shape of a union; shared: a key every shape has; sibling: beside a variant. */
  role: 'root' | 'key' | 'variant' | 'shared' | 'sibling';
  /** Markdown: what the value may be, e.g. "[duration](#durations)" or "`defer` or `skip`". */
  value: string;
  /** For key, shared and sibling: the schema does not mark it optional. */
  required: boolean;
}

type Schema = z.core.$ZodType;

/** The sections, each from its schema; a schema that is one of these elsewhere is a link to its section. */
const roots: Array<{ namespace: Exclude<Namespace, 'value'>; schema: Schema }> = [
  { namespace: 'campaign', schema: campaignFile },
  { namespace: 'trigger', schema: campaignFile.shape.trigger },
  { namespace: 'step', schema: step },
  { namespace: 'condition', schema: condition },
  { namespace: 'segments', schema: segmentsFile },
  { namespace: 'calendar', schema: calendarFile },
];

/** How a section or value type is named in the value column: singular, plural, and the anchor it links to. */
export interface Label {
  one: string;
  many: string;
  anchor: string;
}

/**
 * The named scalars, by schema instance first and then by their definition (a `.describe()`d copy
 * shares it: `name.describe('A purpose')` is still a name); a definition shared by two exports
 * (`eventType` is a described `name`) goes to the undescribed one.
 */
export const scalarNames: readonly string[] = Object.keys(scalars).sort();
const scalarByInstance = new Map<unknown, string>(Object.entries(scalars).map(([n, s]) => [s, n]));
const scalarByDef = new Map<unknown, string>();
for (const [n, s] of Object.entries(scalars).sort(([, a], [, b]) => Number(!!a.description) - Number(!!b.description)))
  if (!scalarByDef.has(s._zod.def)) scalarByDef.set(s._zod.def, n);

const def = (s: Schema) => s._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
const rootOf = (s: Schema) => roots.find((r) => r.schema === s || def(r.schema) === def(s));
const scalarOf = (s: Schema) => scalarByInstance.get(s) ?? scalarByDef.get(def(s));

/** Optional, nullable and lazy wrappers off, stopping at a section or a named scalar. */
function unwrap(s: Schema, intoSection = false): { schema: Schema; optional: boolean; nullable: boolean } {
  let optional = false;
  let nullable = false;
  for (let first = true; ; first = false) {
    if ((rootOf(s) && !(intoSection && first)) || scalarOf(s)) return { schema: s, optional, nullable };
    const d = def(s);
    if (d.type === 'optional' || d.type === 'default' || d.type === 'prefault') optional = true;
    else if (d.type === 'nullable') nullable = true;
    else if (d.type !== 'lazy' && d.type !== 'readonly' && d.type !== 'catch' && d.type !== 'pipe')
      return { schema: s, optional, nullable };
    s = d.type === 'lazy' ? (d.getter as () => Schema)() : d.type === 'pipe' ? (d.in as Schema) : (d.innerType as Schema);
  }
}

/**
 * The keys of the whole surface, in schema order, namespace by namespace. `labelOf` names the
 * sections and value types in value summaries (the reference's entries know the words);
 * `surface` replaces the schema of a section (tests: a surface with one key more).
 */
export function schemaKeys(
  labelOf: (namespaceOrValuePath: string) => Label,
  surface: Partial<Record<Exclude<Namespace, 'value'>, Schema>> = {},
): SchemaKey[] {
  const out: SchemaKey[] = [];
  const summary = valueSummary(labelOf);
  const add = (path: string, namespace: Namespace, role: SchemaKey['role'], schema: Schema) => {
    if (out.some((k) => k.path === path))
      throw new Error(`the schema surface has two keys at ${path}: the reference cannot tell them apart (src/dsl/compile/reference/)`);
    const { optional } = unwrap(schema);
    out.push({
      path,
      namespace,
      depth: path.split('.').length - 1,
      role,
      value: summary(schema),
      required: role !== 'variant' && !optional,
    });
  };

  function walkShape(shape: Record<string, Schema>, path: string, namespace: Namespace): void {
    for (const [k, v] of Object.entries(shape)) {
      add(`${path}.${k}`, namespace, 'key', v);
      walk(v, `${path}.${k}`, namespace);
    }
  }

  function walk(schema: Schema, path: string, namespace: Namespace, top = false): void {
    const s = unwrap(schema, top).schema;
    if (!top && (rootOf(s) || scalarOf(s))) return;
    const d = def(s);
    if (d.type === 'object') walkShape(d.shape as Record<string, Schema>, path, namespace);
    else if (d.type === 'array') walk(d.element as Schema, path, namespace);
    else if (d.type === 'record') walk(d.valueType as Schema, path, namespace);
    else if (d.type === 'union') {
      const shapes = (d.options as Schema[])
        .map((o) => unwrap(o).schema)
        .filter((o) => !rootOf(o) && def(o).type === 'object')
        .map((o) => def(o).shape as Record<string, Schema>);
      if (shapes.length === 1) return walkShape(shapes[0]!, path, namespace);
      const shared = Object.keys(shapes[0] ?? {}).filter((k) => shapes.every((shape) => k in shape));
      for (const k of shared) {
        add(`${path}.${k}`, namespace, 'shared', shapes[0]![k]!);
        walk(shapes[0]![k]!, `${path}.${k}`, namespace);
      }
      for (const shape of shapes) {
        const [head, ...rest] = Object.keys(shape).filter((k) => !shared.includes(k));
        if (head === undefined) continue;
        add(`${path}.${head}`, namespace, 'variant', shape[head]!);
        walk(shape[head]!, `${path}.${head}`, namespace);
        for (const k of rest) {
          add(`${path}.${head}.${k}`, namespace, 'sibling', shape[k]!);
          walk(shape[k]!, `${path}.${head}.${k}`, namespace);
        }
      }
    }
  }

  for (const { namespace, schema } of roots) {
    const root = { namespace, schema: surface[namespace] ?? schema };
    out.push({
      path: root.namespace,
      namespace: root.namespace,
      depth: 0,
      role: 'root',
      value: summary(root.schema, false, true),
      required: true,
    });
    walk(root.schema, root.namespace, root.namespace, true);
  }
  for (const n of scalarNames) out.push({ path: `value.${n}`, namespace: 'value', depth: 1, role: 'root', value: '', required: true });
  return out;
}

const code = (v: unknown) => `\`${String(v)}\``;

/** " (at least N)" for a list with a minimum length. */
function minimum(s: Schema): string {
  const min = (def(s).checks as Array<{ _zod: { def: { check?: string; minimum?: number } } }> | undefined)
    ?.map((c) => c._zod.def)
    .find((c) => c.check === 'min_length')?.minimum;
  return min ? ` (at least ${min})` : '';
}

/** The words a literal or an enum allows, as code; none for anything else. */
function words(s: Schema): string[] {
  const d = def(s);
  if (d.type === 'literal') return (d.values as unknown[]).map(code);
  if (d.type === 'enum') return Object.values(d.entries as Record<string, string>).map(code);
  if (d.type === 'boolean') return ['`true`', '`false`'];
  return [];
}

/** "a", "a or b", "a, b or c". */
export const either = (xs: string[]) => (xs.length < 2 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`);

function valueSummary(labelOf: (key: string) => Label) {
  const link = (key: string, many: boolean) => {
    const l = labelOf(key);
    return `[${many ? l.many : l.one}](#${l.anchor})`;
  };
  const summary = (schema: Schema, many = false, top = false): string => {
    const { schema: s, nullable } = unwrap(schema);
    const text = describe(s, many, top);
    return nullable ? `${text} or empty` : text;
  };
  const describe = (s: Schema, many: boolean, top: boolean): string => {
    const root = rootOf(s);
    if (root && !top) return link(root.namespace, many);
    const scalar = scalarOf(s);
    if (scalar) return link(`value.${scalar}`, many);
    const d = def(s);
    switch (d.type) {
      case 'lazy':
        return describe((d.getter as () => Schema)(), many, false);
      case 'string':
        return many ? 'texts' : 'text';
      case 'boolean':
        return '`true` or `false`';
      case 'unknown':
        return many ? 'values' : 'any value';
      case 'number': {
        const n = s as z.ZodNumber;
        if (!n.isInt) return many ? 'numbers' : 'number';
        const words = many ? 'whole numbers' : 'whole number';
        const max = n.maxValue !== null && n.maxValue < Number.MAX_SAFE_INTEGER ? n.maxValue : undefined;
        if (n.minValue !== null && n.minValue > Number.MIN_SAFE_INTEGER)
          return max === undefined ? `${words} (at least ${n.minValue})` : `${words} (${n.minValue}–${max})`;
        return words;
      }
      case 'literal':
      case 'enum':
        return either(words(s));
      case 'array':
        return `${many ? 'lists' : 'list'} of ${summary(d.element as Schema, true)}${minimum(s)}`;
      case 'record':
        return `map of names to ${summary(d.valueType as Schema, true)}`;
      case 'object':
        return many ? 'maps (keys below)' : 'map (keys below)';
      case 'union': {
        const options = (d.options as Schema[]).map((o) => unwrap(o).schema);
        const maps = options.filter((o) => !rootOf(o) && !scalarOf(o) && def(o).type === 'object');
        const heads = maps.map((o) => Object.keys(def(o).shape as object).find((k) => !maps.every((m) => k in (def(m).shape as object))));
        // `rfm: CELL | [CELLS]`: the list of the same words reads "or a list of them".
        const listOfSame = (o: Schema) => {
          const w = def(o).type === 'array' ? words(unwrap(def(o).element as Schema).schema) : [];
          return w.length > 0 && options.some((x) => x !== o && words(x).join() === w.join());
        };
        const parts = options
          .filter((o) => !maps.includes(o))
          .flatMap((o) => (listOfSame(o) ? [`a list of them${minimum(o)}`] : words(o).length ? words(o) : [summary(o, many)]));
        if (maps.length === 1) parts.push(describe(maps[0]!, many, false));
        else if (maps.length > 1) parts.push(`${many ? 'maps' : 'a map'} with ${either(heads.filter((h) => h !== undefined).map(code))}`);
        return either(parts);
      }
      default:
        // A kind of schema the surface does not use yet (tuple, …): named plainly rather than guessed.
        return many ? 'values' : 'a value';
    }
  };
  return summary;
}
