import { type Node, isMap, isScalar } from 'yaml';
import type { Condition } from '../condition';
import { type ConditionContext, type SegmentResolver, compileCondition } from './condition';
import type { EventRefs } from './refs';
import { type Source, deref, describe, error } from '../source';
import { didYouMean } from '../suggest';

export interface SegmentTable extends SegmentResolver {
  /** Every segment that compiled, by name (what Project.segments holds). */
  compiled(): Record<string, Condition>;
}

/**
 * segments.yaml: a map of name → condition. Segments may use each other (`segment: NAME`, inlined
 * with the name kept); each is compiled once, depth first, so a cycle (a → b → a) is found at the
 * reference that closes it and reported there, once. `unreadable`: the file exists but is not
 * valid YAML. `calendarZone`: the calendar's, for `anniversary` (ConditionContext).
 */
export function buildSegments(
  source: Source | undefined,
  events: EventRefs,
  displayFile: string,
  unreadable = false,
  calendarZone = 'UTC',
): SegmentTable {
  const definitions = new Map<string, { key: Node; value: Node | null }>();
  const memo = new Map<string, Condition | null>();
  const stack: string[] = [];
  const root = source ? deref(source, source.doc.contents) : null;
  if (source && root && !(isScalar(root) && root.value === null)) {
    if (!isMap(root))
      error(
        source,
        root,
        `segments.yaml must map segment names to conditions, got ${describe(root)}`,
        'e.g. vip: { event: order.created, count: 5 }',
      );
    else
      for (const pair of root.items) {
        const key = pair.key as Node;
        if (!isScalar(key) || typeof key.value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(key.value)) {
          error(source, key, `segment name ${describe(key)} may hold only letters, digits, ".", "_" and "-"`, 'e.g. lapsed-customers');
          continue;
        }
        definitions.set(key.value, { key, value: deref(source, pair.value) });
      }
  }

  const table: SegmentTable = {
    resolve(from, node, name) {
      // segments.yaml did not parse: its own errors say so; guessing "unknown segment" would mislead.
      if (unreadable) return undefined;
      if (!definitions.has(name)) {
        return error(from, node, `unknown segment "${name}"`, didYouMean(name, definitions.keys(), `define it in ${displayFile}`));
      }
      if (stack.includes(name)) {
        const cycle = [...stack.slice(stack.indexOf(name)), name].join(' → ');
        return error(from, node, `segment cycle: ${cycle}`, 'a segment cannot include itself; remove one of these references');
      }
      const condition = compileNamed(name);
      return condition ? { kind: 'segment', name, condition } : undefined;
    },
    compiled() {
      return Object.fromEntries([...memo].filter((e): e is [string, Condition] => e[1] !== null));
    },
  };

  function compileNamed(name: string): Condition | undefined {
    if (memo.has(name)) return memo.get(name) ?? undefined;
    const { key, value } = definitions.get(name)!;
    const cx: ConditionContext = { source: source!, scope: 'segment', segments: table, events, calendarZone };
    if (value === null || (isScalar(value) && value.value === null)) {
      memo.set(name, null);
      return error(source!, key, `segment "${name}" has no condition`, 'e.g. consent: email.marketing');
    }
    stack.push(name);
    const condition = compileCondition(cx, value);
    stack.pop();
    memo.set(name, condition ?? null);
    return condition;
  }

  for (const name of definitions.keys()) compileNamed(name);
  return table;
}
