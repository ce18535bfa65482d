import { type Node, isMap, isScalar } from 'yaml';
import { type CampaignPlan, PLAN_MARKER, PLAN_VERSION, type ReEntry, TRANSACTIONAL_PURPOSE, type Trigger } from '../plan';
import { type ConditionContext, compileCondition } from './condition';
import { type Entries, placeOf, readBool, readInt, readList, readMap, readName, readString, required } from './read';
import { checkPurpose } from './refs';
import { type Source, deref, describe, error, hasErrors } from '../source';
import { MAX_ATTRIBUTION_WINDOW_MS } from '../../attribution/types';
import type { StepContext } from './step-context';
import { compileSteps } from './steps';
import { didYouMean } from '../suggest';
import { type TriggerContext, compileTrigger } from './trigger';
import { readDuration, readPercent } from './units';
import { campaignKeys } from './vocabulary';

export type CampaignContext = Omit<TriggerContext, 'source'> & Pick<StepContext, 'templates' | 'webhooks'>;

/** One campaign file compiled, with what the cross-file checks need even when it has errors. */
export interface CompiledCampaign {
  source: Source;
  id?: string;
  idNode?: Node;
  /** Present only when the file has no errors. */
  plan?: CampaignPlan;
  trigger?: Trigger;
  triggerPlace?: Node;
  emits: Array<{ event: string; node: Node }>;
}

/** Defaults: name = id, priority 50, re_entry never, holdout 0 %, migrate false, attribution click 5d / open 1d. */
export function compileCampaign(context: CampaignContext, source: Source, fileStem: string): CompiledCampaign {
  const result: CompiledCampaign = { source, emits: [] };
  const root = deref(source, source.doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) {
    error(source, 0, 'empty campaign file', `start it with campaign: ${fileStem}`);
    return result;
  }
  const e = readMap(source, root, 'campaign', campaignKeys);
  if (!e) return result;
  const cx: StepContext & TriggerContext = { ...context, source, ids: new Map(), emits: result.emits };
  const conditionCx: ConditionContext = { ...cx, scope: 'contact' };

  const idNode = required(source, e, 'campaign', 'campaign', `campaign: ${fileStem}`);
  const id = idNode && readName(source, idNode, 'campaign id', fileStem);
  if (id && idNode) {
    Object.assign(result, { id, idNode });
    if (id !== fileStem)
      error(
        source,
        idNode,
        `campaign id "${id}" does not match the file name "${fileStem}"`,
        `rename the file to ${id}.yaml or write campaign: ${fileStem}`,
      );
  }
  const name = e.has('name') ? readString(source, placeOf(e, 'name'), 'name', 'name: Abandoned cart recovery') : id;
  const purposeNode = required(source, e, 'purpose', 'campaign', 'purpose: email.marketing');
  const purpose = purposeNode && readName(source, purposeNode, 'purpose', 'email.marketing');
  if (purpose && purposeNode) checkPurpose(source, purposeNode, purpose);
  const priority = e.has('priority') ? readInt(source, placeOf(e, 'priority'), 'priority', 0, 100) : 50;
  const triggerNode = required(source, e, 'trigger', 'campaign', 'trigger: { event: checkout.started }');
  const compiledTrigger = triggerNode && compileTrigger(cx, triggerNode);
  Object.assign(result, { trigger: compiledTrigger?.trigger, triggerPlace: compiledTrigger?.place });
  const audience = e.has('audience') ? compileCondition(conditionCx, e.get('audience')) : undefined;
  const reEntry = readReEntry(source, e);
  const exitOn = e.has('exit_on') ? readExitOn(conditionCx, placeOf(e, 'exit_on')) : [];
  const goal = e.has('goal') ? readGoal(conditionCx, placeOf(e, 'goal')) : undefined;
  const holdoutPercent = e.has('holdout') ? readPercent(source, placeOf(e, 'holdout'), 'holdout', { min: 0, max: 99 }) : 0;
  const migrate = e.has('migrate') ? readBool(source, placeOf(e, 'migrate'), 'migrate') : false;
  const utm = e.has('utm') ? readUtm(source, placeOf(e, 'utm')) : {};
  const stepsNode = required(source, e, 'steps', 'campaign', 'steps: [ { send: TEMPLATE } ]');
  const steps = stepsNode && compileSteps({ ...cx, marketing: purpose !== TRANSACTIONAL_PURPOSE }, stepsNode, 'steps', 'steps');
  if (steps && !steps.length) error(source, stepsNode, 'a campaign needs at least one step', 'e.g. steps: [ { send: TEMPLATE } ]');

  if (
    hasErrors(source) ||
    !id ||
    !name ||
    !purpose ||
    priority === undefined ||
    !compiledTrigger ||
    !reEntry ||
    !exitOn ||
    holdoutPercent === undefined ||
    migrate === undefined ||
    !utm ||
    !steps
  )
    return result;
  result.plan = {
    $$almanac: PLAN_MARKER,
    planVersion: PLAN_VERSION,
    id,
    name,
    file: source.file,
    purpose,
    priority,
    trigger: compiledTrigger.trigger,
    ...(audience ? { audience } : {}),
    reEntry,
    exitOn,
    ...(goal ? { goal } : {}),
    holdoutPercent,
    ...(Object.keys(utm).length ? { utm } : {}),
    migrate,
    steps,
  };
  return result;
}

/** `utm: { source, medium, campaign, content }`: each a short text of URL-safe words (they go into every tracked link). */
function readUtm(source: Source, node: Node | null): NonNullable<CampaignPlan['utm']> | undefined {
  const m = readMap(source, node, 'utm', ['source', 'medium', 'campaign', 'content']);
  if (!m) return undefined;
  const out: NonNullable<CampaignPlan['utm']> = {};
  for (const key of ['source', 'medium', 'campaign', 'content'] as const) {
    if (!m.has(key)) continue;
    const value = readString(source, placeOf(m, key), `utm.${key}`, `${key}: ${key === 'source' ? 'newsletter' : 'email'}`);
    if (value === undefined) return undefined;
    if (!/^[A-Za-z0-9._~+-]{1,100}$/.test(value))
      return error(
        source,
        placeOf(m, key),
        `utm.${key} "${value.slice(0, 40)}" is not a short URL-safe word`,
        'letters, digits and . _ ~ + - (up to 100)',
      );
    out[key] = value;
  }
  return out;
}

function readReEntry(source: Source, e: Entries): ReEntry | undefined {
  if (!e.has('re_entry')) return { mode: 'never' };
  const node = placeOf(e, 're_entry');
  if (isScalar(node) && (node.value === 'never' || node.value === 'always')) return { mode: node.value };
  if (isMap(node)) {
    const m = readMap(source, node, 're_entry', ['after']);
    const after = m && required(source, m, 'after', 're_entry', 're_entry: { after: 30d }');
    const ms = after && readDuration(source, after, 're_entry after');
    return ms === undefined ? undefined : { mode: 'after', ms };
  }
  const word = isScalar(node) ? String(node.value) : '';
  return error(
    source,
    node,
    `re_entry ${word ? `"${word}"` : describe(node)} is not never, always or { after: DURATION }`,
    didYouMean(word, ['never', 'always'], 'e.g. re_entry: { after: 30d }'),
  );
}

function readEventName(cx: ConditionContext, e: Entries, what: string): string | undefined {
  const node = required(cx.source, e, 'event', what, 'event: order.created');
  const event = node && readName(cx.source, node, 'event type', 'event: order.created');
  if (event && node) cx.events.push({ source: cx.source, node, name: event });
  return event;
}

function readExitOn(cx: ConditionContext, node: Node | null): CampaignPlan['exitOn'] | undefined {
  const items = readList(cx.source, node, 'exit_on', '- event: order.created');
  if (!items) return undefined;
  const out = items.map((item) => {
    const x = readMap(cx.source, item, 'exit_on entry', ['event', 'where']);
    if (!x) return undefined;
    const event = readEventName(cx, x, 'exit_on entry');
    const where = x.has('where') ? compileCondition({ ...cx, scope: 'properties' }, x.get('where')) : undefined;
    return event && (!x.has('where') || where) ? { event, ...(where ? { where } : {}) } : undefined;
  });
  return out.every((x) => x !== undefined) ? out : undefined;
}

function readWindow(cx: ConditionContext, node: Node | null, what: string): number | undefined {
  const ms = readDuration(cx.source, node, what);
  if (ms === undefined || ms <= MAX_ATTRIBUTION_WINDOW_MS) return ms;
  return error(
    cx.source,
    node,
    `${what} is longer than 90d`,
    'clicks and opens older than 90 days before an order are never credited: use at most 90d',
  );
}

function readGoal(cx: ConditionContext, node: Node | null): CampaignPlan['goal'] | undefined {
  const g = readMap(cx.source, node, 'goal', ['event', 'attribution']);
  if (!g) return undefined;
  const event = readEventName(cx, g, 'goal');
  let clickMs: number | undefined = 5 * 86_400_000;
  let openMs: number | undefined = 86_400_000;
  if (g.has('attribution')) {
    const a = readMap(cx.source, placeOf(g, 'attribution'), 'attribution', ['click', 'open']);
    if (a?.has('click')) clickMs = readWindow(cx, placeOf(a, 'click'), 'attribution click');
    if (a?.has('open')) openMs = readWindow(cx, placeOf(a, 'open'), 'attribution open');
  }
  return event && clickMs !== undefined && openMs !== undefined ? { event, attribution: { clickMs, openMs } } : undefined;
}
