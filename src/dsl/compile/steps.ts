import Handlebars from 'handlebars';
import { type Node, isScalar } from 'yaml';
import type { Step } from '../plan';
import { compileCondition } from './condition';
import { type Entries, placeOf, readList, readMap, readName, readString, required, toJson } from './read';
import { deref, describe, error, locate, warn } from '../source';
import { compileSplit } from './split';
import { didYouMean, listing } from '../suggest';
import type { StepContext } from './step-context';
import { readDuration } from './units';
import { type StepKindWord, stepKinds, stepSiblings } from './vocabulary';
import { compileWebhook } from './webhook';

type StepBody = Step extends infer S ? (S extends Step ? Omit<S, 'key' | 'line' | 'col'> : never) : never;

/**
 * A list of steps. `path` is the list's JSON-path (`steps`, `steps[2].on_timeout`, or under a
 * parent with an id, `my-id.on_timeout`): a step's key is its `id:` when given, else `path[i]`.
 * Steps after an `exit` in the same list can never run: one warning at the first of them.
 */
export function compileSteps(cx: StepContext, raw: Node | null, path: string, what: string): Step[] | undefined {
  const items = readList(cx.source, raw, what, '- wait: 1h');
  if (!items) return undefined;
  const steps = items.map((item, i) => compileStep(cx, item, `${path}[${i}]`));
  const exitAt = steps.findIndex((s) => s?.kind === 'exit');
  if (exitAt >= 0 && exitAt < items.length - 1)
    warn(cx.source, items[exitAt + 1], 'unreachable step after "exit"', 'remove it or move the exit below it');
  return steps.every((s): s is Step => s !== undefined) ? steps : undefined;
}

function compileStep(cx: StepContext, raw: Node, path: string): Step | undefined {
  const { source } = cx;
  const node = deref(source, raw);
  const { line, col } = locate(source, node);
  if (isScalar(node)) {
    if (node.value === null) return error(source, node, 'empty step', 'write the step after the dash, e.g. - wait: 1h');
    const word = String(node.value);
    if (word === 'exit') return { key: path, line, col, kind: 'exit' };
    if ((stepKinds as readonly string[]).includes(word)) return error(source, node, `"${word}" step needs a value`, `write ${word}: …`);
    return error(source, node, `unknown step "${word}"`, didYouMean(word, stepKinds, `a step is one of ${listing([...stepKinds])}`));
  }
  const e = readMap(source, node, 'step', null);
  if (!e) return undefined;
  const kinds = e.keys.filter((k) => (stepKinds as readonly string[]).includes(k)) as StepKindWord[];
  if (kinds.length === 0) {
    const word = e.keys.find((k) => k !== 'id');
    if (word === undefined) return error(source, node, 'step has no kind', `add one of ${listing([...stepKinds])}`);
    if (word === 'on_timeout')
      return error(
        source,
        e.keyNode(word),
        '"on_timeout" is not a step of its own',
        'indent it under the wait_until step above, without a dash: on_timeout belongs to that wait_until',
      );
    return error(
      source,
      e.keyNode(word),
      `unknown step "${word}"`,
      didYouMean(word, stepKinds, `a step is one of ${listing([...stepKinds])}`),
    );
  }
  if (kinds.length > 1)
    return error(
      source,
      e.keyNode(kinds[1]!),
      `one step per list item, found "${kinds[0]}" and "${kinds[1]}"`,
      `start "${kinds[1]}" on its own "- " line`,
    );
  const kind = kinds[0]!;
  const allowed = stepSiblings[kind];
  let ok = true;
  for (const k of e.keys.filter((k) => k !== kind && !allowed.includes(k))) {
    ok = false;
    error(
      source,
      e.keyNode(k),
      `unknown key "${k}" in ${kind} step`,
      didYouMean(k, allowed, `a ${kind} step takes ${listing([...allowed])}`),
    );
  }
  const key = e.has('id') ? readId(cx, e) : path;
  const body = compileBody(cx, e, kind, key ?? path);
  return ok && key && body ? ({ key, line, col, ...body } as Step) : undefined;
}

function readId(cx: StepContext, e: Entries): string | undefined {
  const node = placeOf(e, 'id');
  const id = readName(cx.source, node, 'step id', 'id: first-reminder');
  if (!id || !node) return undefined;
  const first = cx.ids.get(id);
  if (first)
    return error(
      cx.source,
      node,
      `duplicate step id "${id}"`,
      `already used at line ${locate(cx.source, first).line}; ids must be unique in a campaign`,
    );
  cx.ids.set(id, node);
  return id;
}

function compileBody(cx: StepContext, e: Entries, kind: StepKindWord, key: string): StepBody | undefined {
  const { source } = cx;
  const value = e.get(kind);
  const place = placeOf(e, kind);
  switch (kind) {
    case 'wait': {
      const ms = readDuration(source, place, 'wait');
      return ms === undefined ? undefined : { kind, ms };
    }
    case 'wait_until':
      return waitUntil(cx, e, key);
    case 'send':
      return send(cx, e);
    case 'branch':
      return branch(cx, place, key);
    case 'split':
      return compileSplit(cx, place, e.keyNode('split'), key, compileSteps);
    case 'update': {
      const m = readMap(source, place, 'update', null);
      if (m && !m.keys.length) return error(source, place, 'update has no attributes', 'e.g. update: { welcome_outcome: nudged }');
      return m?.complete ? { kind, attributes: toJson(source, m.node) as Record<string, unknown> } : undefined;
    }
    case 'emit': {
      const event = readName(source, place, 'event type', 'emit: welcome.finished');
      if (event && place) cx.emits.push({ event, node: place });
      const props = e.has('properties') ? readMap(source, placeOf(e, 'properties'), 'properties', null) : undefined;
      if (!event || (e.has('properties') && !props?.complete)) return undefined;
      return { kind, event, ...(props ? { properties: toJson(source, props.node) as Record<string, unknown> } : {}) };
    }
    case 'webhook':
      return compileWebhook(cx, e);
    default: {
      if (value === null || (isScalar(value) && (value.value === true || value.value === null))) return { kind: 'exit' };
      return error(
        source,
        place,
        `exit must be written "- exit" or "exit: true", got ${describe(value)}`,
        'remove the step if the journey should go on',
      );
    }
  }
}

function waitUntil(cx: StepContext, e: Entries, key: string): StepBody | undefined {
  const { source } = cx;
  const w = readMap(source, placeOf(e, 'wait_until'), 'wait_until', ['event', 'timeout', 'where']);
  if (!w) return undefined;
  const eventNode = required(source, w, 'event', 'wait_until', 'event: email.clicked');
  const event = eventNode && readName(source, eventNode, 'event type', 'event: email.clicked');
  if (event && eventNode) cx.events.push({ source, node: eventNode, name: event });
  const t = required(source, w, 'timeout', 'wait_until', 'timeout: 24h');
  const timeoutMs = t && readDuration(source, t, 'timeout');
  const where = w.has('where') ? compileCondition({ ...cx, scope: 'properties' }, w.get('where')) : undefined;
  const onTimeout = e.has('on_timeout') ? compileSteps(cx, placeOf(e, 'on_timeout'), `${key}.on_timeout`, 'on_timeout') : [];
  if (!event || timeoutMs === undefined || !onTimeout || (w.has('where') && !where)) return undefined;
  return { kind: 'wait_until', event, timeoutMs, ...(where ? { where } : {}), onTimeout };
}

function send(cx: StepContext, e: Entries): StepBody | undefined {
  const { source } = cx;
  const node = placeOf(e, 'send');
  let template = readName(source, node, 'template name', 'send: cart-reminder');
  if (template && !cx.templates.includes(template)) {
    template = error(
      source,
      node,
      `unknown template "${template}"`,
      didYouMean(template, cx.templates, `add templates/${template}/subject.hbs and html.hbs or text.hbs`),
    );
  }
  const gaps = template && cx.marketing ? cx.complianceGaps?.get(template) : undefined;
  if (gaps?.length) {
    const lacks = [...new Set(gaps.map((g) => g.what))];
    const files = [...new Set(gaps.map((g) => g.file))];
    const expressions = [...new Set(gaps.map((g) => `{{${g.expression}}}`))];
    error(
      source,
      node,
      `template "${template}" is sent as marketing but renders no ${lacks.join(' and no ')} (${files.join(', ')})`,
      `add ${expressions.join(' and ')} to those files or to their layout (templates/layouts/), or make the campaign purpose: email.transactional`,
    );
  }
  const subjectNode = placeOf(e, 'subject');
  let subject = e.has('subject') ? readString(source, subjectNode, 'subject', 'subject: "Hello {{contact.first_name}}"') : undefined;
  if (subject !== undefined) {
    try {
      Handlebars.parse(subject);
    } catch {
      subject = error(
        source,
        subjectNode,
        'subject is not a valid handlebars template',
        'close every {{ with }} and every {{#block}} with {{/block}}',
      );
    }
  }
  const data = e.has('data') ? readMap(source, placeOf(e, 'data'), 'data', null) : undefined;
  if (!template || (e.has('subject') && subject === undefined) || (e.has('data') && !data?.complete)) return undefined;
  return {
    kind: 'send',
    template,
    ...(subject !== undefined ? { subject } : {}),
    ...(data ? { data: toJson(source, data.node) as Record<string, unknown> } : {}),
  };
}

function branch(cx: StepContext, node: Node | null, key: string): StepBody | undefined {
  const { source } = cx;
  const items = readList(source, node, 'branch', '- when: { consent: email.marketing }');
  if (!items) return undefined;
  const arms: Array<{ when: NonNullable<ReturnType<typeof compileCondition>>; steps: Step[] }> = [];
  let otherwise: Step[] | undefined = [];
  let ok = true;
  items.forEach((item, j) => {
    const a = readMap(source, item, 'branch arm', ['when', 'steps', 'otherwise']);
    if (!a?.complete) return void (ok = false);
    if (a.has('otherwise')) {
      if (a.keys.length > 1)
        return void (ok =
          error(
            source,
            a.keyNode(a.keys.find((k) => k !== 'otherwise')!),
            '"otherwise" stands alone in its arm',
            'put its steps under otherwise:',
          ) ?? false);
      if (j !== items.length - 1)
        return void (ok =
          error(source, a.keyNode('otherwise'), '"otherwise" must be the last arm of a branch', 'move it to the end') ?? false);
      otherwise = compileSteps(cx, placeOf(a, 'otherwise'), `${key}.branch.otherwise`, 'otherwise');
      return;
    }
    const w = required(source, a, 'when', 'branch arm', 'when: { consent: email.marketing }');
    const s = required(source, a, 'steps', 'branch arm', 'steps: [ { send: TEMPLATE } ]');
    const when = w && compileCondition({ ...cx, scope: 'contact' }, w);
    const steps = s && compileSteps(cx, s, `${key}.branch[${j}].steps`, 'steps');
    if (when && steps) arms.push({ when, steps });
    else ok = false;
  });
  if (ok && arms.length === 0)
    return error(source, node, 'branch has no "when" arm', 'add - when: CONDITION with steps:, or drop the branch');
  return ok && otherwise ? { kind: 'branch', arms, otherwise } : undefined;
}
