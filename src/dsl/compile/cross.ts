import type { CompiledCampaign } from './campaign';
import { isMap, isSeq } from 'yaml';
import { CONSENT_REQUESTED, type CalendarPlan } from '../plan';
import { error, locate, type Place, type Source } from '../source';

/** A campaign id used by two files: reported at the later file (files are read in name order). */
export function checkDuplicateIds(campaigns: CompiledCampaign[]): void {
  const first = new Map<string, CompiledCampaign>();
  for (const c of campaigns) {
    if (!c.id || !c.idNode) continue;
    const prior = first.get(c.id);
    if (!prior) {
      first.set(c.id, c);
      continue;
    }
    const at = locate(prior.source, prior.idNode);
    error(
      c.source,
      c.idNode,
      `duplicate campaign id "${c.id}"`,
      `also used in ${prior.source.file}:${at.line}:${at.col}; each campaign needs its own id`,
    );
  }
}

/**
 * A campaign that emits the event triggering another, which emits what triggers the first (or
 * itself), would loop forever. Each cycle is reported once, at the emit step of its member whose
 * id sorts first.
 */
export function checkEmitCycles(campaigns: CompiledCampaign[]): void {
  const byTrigger = new Map<string, CompiledCampaign[]>();
  for (const c of campaigns) {
    if (c.id && c.trigger?.kind === 'event') byTrigger.set(c.trigger.event, [...(byTrigger.get(c.trigger.event) ?? []), c]);
  }
  const edges = (c: CompiledCampaign) => c.emits.flatMap((emit) => (byTrigger.get(emit.event) ?? []).map((to) => ({ emit, to })));
  for (const start of [...campaigns].sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''))) {
    if (!start.id) continue;
    const path = findPathBack(start, edges);
    if (!path || path.some((step) => (step.to.id ?? '') < start.id!)) continue;
    const story = path
      .map((step, i) => `${(i === 0 ? start : path[i - 1]!.to).id} emits "${step.emit.event}", which triggers ${step.to.id}`)
      .join('; ');
    error(
      start.source,
      path[0]!.emit.node,
      `emit cycle: ${story}`,
      'a campaign must not trigger itself through emitted events; remove an emit or change a trigger',
    );
  }
}

type Edge = { emit: CompiledCampaign['emits'][number]; to: CompiledCampaign };

/** Breadth first from `start` back to itself; the shortest loop, as the edges taken. */
function findPathBack(start: CompiledCampaign, edges: (c: CompiledCampaign) => Edge[]): Edge[] | undefined {
  const cameBy = new Map<CompiledCampaign, Edge[]>([[start, []]]);
  const queue: CompiledCampaign[] = [start];
  while (queue.length) {
    const at = queue.shift()!;
    for (const edge of edges(at)) {
      const path = [...cameBy.get(at)!, edge];
      if (edge.to === start) return path;
      if (!cameBy.has(edge.to)) {
        cameBy.set(edge.to, path);
        queue.push(edge.to);
      }
    }
  }
  return undefined;
}

/**
 * A purpose declared `double_opt_in: true` keeps every grant pending until the person confirms
 * from a mail — so some campaign must send that mail: one triggered by `consent.requested` (the
 * samples ship campaigns/consent-confirmation.yaml). Without it nobody could ever be granted the
 * purpose; reported at the purpose's `double_opt_in` in calendar.yaml.
 */
export function checkDoubleOptIn(campaigns: CompiledCampaign[], calendar: CalendarPlan, calendarSource: Source | undefined): void {
  if (!calendarSource || campaigns.some((c) => c.trigger?.kind === 'event' && c.trigger.event === CONSENT_REQUESTED)) return;
  const items = calendarSource.doc.getIn(['purposes'], true);
  for (const p of (calendar.purposes ?? []).filter((p) => p.doubleOptIn)) {
    const item = isSeq(items) ? items.items.find((i) => isMap(i) && i.get('id') === p.id) : undefined;
    error(
      calendarSource,
      isMap(item) ? (item.get('double_opt_in', true) as Place) : null,
      `purpose ${p.id} asks for double opt-in, but no campaign sends the confirmation mail`,
      `add a campaign triggered by ${CONSENT_REQUESTED} whose mail links {{send.confirm_url}} (copy campaigns/consent-confirmation.yaml and templates/consent-confirm from the samples)`,
    );
  }
}
