import type { Step } from './plan';

/** The step lists nested directly inside `step` (branch arms, split arms, on_timeout). */
export function childLists(step: Step): Step[][] {
  switch (step.kind) {
    case 'wait_until':
      return [step.onTimeout];
    case 'branch':
      return [...step.arms.map((a) => a.steps), step.otherwise];
    case 'split':
      return step.arms.map((a) => a.steps);
    default:
      return [];
  }
}

/** Every step of a tree, depth-first in source order. */
export function* walkSteps(steps: Step[]): Generator<Step> {
  for (const step of steps) {
    yield step;
    for (const list of childLists(step)) yield* walkSteps(list);
  }
}

/**
 * What a step itself says, without its position (line/col) and with nested lists reduced to the
 * keys they hold: two versions of a step are "the same" when this is equal. A changed child shows
 * up as that child's own change, not as a change of every parent.
 */
export function stepSignature(step: Step): string {
  const { line: _line, col: _col, ...rest } = step;
  return canonicalJson(rest, (value) =>
    Array.isArray(value) && value.every((v) => v && typeof v === 'object' && 'key' in v && 'kind' in v)
      ? (value as Step[]).map((s) => s.key)
      : value,
  );
}

/** JSON with object keys sorted, so equal values always serialise equally. */
export function canonicalJson(value: unknown, replace: (v: unknown) => unknown = (v) => v): string {
  const norm = (v: unknown): unknown => {
    const r = replace(v);
    if (Array.isArray(r)) return r.map(norm);
    if (r && typeof r === 'object') {
      return Object.fromEntries(
        Object.keys(r)
          .sort()
          .map((k) => [k, norm((r as Record<string, unknown>)[k])]),
      );
    }
    return r;
  };
  return JSON.stringify(norm(value));
}

/** A few words describing a step for plans and timelines: `send cart-reminder`, `wait 1h`. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'send':
      return `send ${step.template}${step.subject ? ` (subject "${step.subject}")` : ''}`;
    case 'wait':
      return `wait ${formatDuration(step.ms)}`;
    case 'wait_until':
      return `wait_until ${step.event} (timeout ${formatDuration(step.timeoutMs)})`;
    case 'branch':
      return `branch (${step.arms.length} when + otherwise)`;
    case 'split':
      return `split ${step.arms.map((a) => `${a.name} ${a.percent}%`).join(' / ')}`;
    case 'update':
      return `update ${Object.keys(step.attributes).join(', ')}`;
    case 'emit':
      return `emit ${step.event}`;
    case 'webhook':
      return `webhook POST ${step.url}`;
    case 'exit':
      return 'exit';
  }
}

const units: Array<[string, number]> = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** 5400000 → `1h30m`; the inverse of the DSL's duration syntax. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return rest > 0 ? `${out}${rest}ms` : out;
}
