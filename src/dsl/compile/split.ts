import { type Node, isMap, isScalar, isSeq } from 'yaml';
import type { Step } from '../plan';
import { placeOf, readMap } from './read';
import { type Source, error } from '../source';
import type { StepContext } from './step-context';
import { readPercent } from './units';

type CompileSteps = (cx: StepContext, raw: Node | null, path: string, what: string) => Step[] | undefined;
type Arm = { name: string; percent: number; steps: Step[] };

/**
 * `split:` — a sticky random split. Each arm is written one of three ways:
 *   A: [ …steps ]                       an equal share of what the other arms leave
 *   A: { percent: 30%, steps: [ … ] }   an explicit share
 *   A: 10%                              an explicit share with no steps (a control group)
 * Explicit shares must leave something for the arms without one, and all arms must add up to
 * exactly 100 %. Shares are kept unrounded (three equal arms get 33.33…% each).
 */
export function compileSplit(
  cx: StepContext,
  node: Node | null,
  at: Node | undefined,
  key: string,
  compileSteps: CompileSteps,
): { kind: 'split'; arms: Arm[] } | undefined {
  const { source } = cx;
  const m = readMap(source, node, 'split', null);
  if (!m?.complete) return undefined;
  if (m.keys.length < 2) return error(source, node, 'split needs at least two arms', 'e.g. split: { A: [ … ], B: [ … ] }');
  const arms: Array<{ name: string; percent?: number; steps?: Step[]; place: Node | null }> = [];
  let ok = true;
  for (const name of m.keys) {
    const value = placeOf(m, name);
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      ok = !!error(source, m.keyNode(name), `split arm name "${name}" may hold only letters, digits, "_" and "-"`, 'e.g. A, B, control');
      continue;
    }
    const arm = readArm(cx, value, `${key}.split.${name}`, compileSteps);
    if (arm) arms.push({ name, ...arm, place: value });
    else ok = false;
  }
  if (!ok) return undefined;
  return shares(source, at ?? m.node, arms);
}

function readArm(
  cx: StepContext,
  value: Node | null,
  path: string,
  compileSteps: CompileSteps,
): { percent?: number; steps?: Step[] } | undefined {
  const { source } = cx;
  const percentOpts = { min: 0, max: 100, minExclusive: true };
  if (isSeq(value)) {
    const steps = compileSteps(cx, value, path, 'split arm');
    return steps && { steps };
  }
  if (isMap(value)) {
    const a = readMap(source, value, 'split arm', ['percent', 'steps']);
    if (!a?.complete) return undefined;
    const percent = a.has('percent') ? readPercent(source, placeOf(a, 'percent'), 'split percent', percentOpts) : undefined;
    const steps = a.has('steps') ? compileSteps(cx, placeOf(a, 'steps'), path, 'steps') : [];
    if ((a.has('percent') && percent === undefined) || !steps) return undefined;
    return { ...(percent !== undefined ? { percent } : {}), steps };
  }
  if (isScalar(value) && value.value !== null) {
    const percent = readPercent(source, value, 'split percent', percentOpts);
    return percent === undefined ? undefined : { percent, steps: [] };
  }
  return error(source, value, 'split arm has no steps or percent', 'write A: [ …steps ], A: { percent: 50%, steps: [ … ] } or A: 50%');
}

function shares(
  source: Source,
  place: Node,
  arms: Array<{ name: string; percent?: number; steps?: Step[] }>,
): { kind: 'split'; arms: Arm[] } | undefined {
  const given = arms.reduce((sum, a) => sum + (a.percent ?? 0), 0);
  const open = arms.filter((a) => a.percent === undefined).length;
  const total = Math.round(given * 1e6) / 1e6;
  if (open === 0 && Math.abs(given - 100) > 1e-9) {
    return error(source, place, `split arms add up to ${total}%, not 100%`, 'change the percents so they add up to 100%');
  }
  if (open > 0 && given >= 100 - 1e-9) {
    return error(
      source,
      place,
      `split arms with a percent already add up to ${total}%`,
      'leave room for the arms without one, or give every arm a percent',
    );
  }
  const rest = (100 - given) / (open || 1);
  return { kind: 'split', arms: arms.map((a) => ({ name: a.name, percent: a.percent ?? rest, steps: a.steps ?? [] })) };
}
