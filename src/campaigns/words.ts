import { rruleWords } from '../calendar/rrule-words';
import type { Condition, TimeValue } from '../dsl/condition';
import type { CampaignPlan, ReEntry, Step, Trigger } from '../dsl/plan';
import { formatDuration as compact } from '../dsl/walk';

/** A duration as people say it: days rather than weeks (30d, not 4w2d). */
const formatDuration = (ms: number) => {
  const days = Math.floor(ms / 86_400_000);
  return days >= 7 ? `${days}d${ms % 86_400_000 ? compact(ms % 86_400_000) : ''}` : compact(ms);
};

/**
 * A compiled campaign in words, for reviewers (`almanac plan`): what starts it, who it reaches,
 * what it does step by step, and which settings a change touches (old → new). Pure.
 */

const OP: Record<string, string> = {
  is: 'is',
  is_not: 'is not',
  in: 'is one of',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  contains: 'contains',
  before: 'is before',
  after: 'is after',
};

const value = (v: unknown): string => {
  if (v && typeof v === 'object' && 'agoMs' in (v as TimeValue)) return `${formatDuration((v as { agoMs: number }).agoMs)} ago`;
  if (v && typeof v === 'object' && 'at' in (v as TimeValue)) return String((v as { at: string }).at);
  if (Array.isArray(v)) return v.map(value).join(', ');
  return typeof v === 'string' ? v : JSON.stringify(v);
};

const attributePath = (scope: string, path: string[]) =>
  scope === 'trigger' ? `trigger.${path.join('.')}` : scope === 'customer' ? `customer.${path.join('.')}` : path.join('.');

/** `cart.total ≥ 100 and has consent for email.marketing`. */
export function conditionWords(c: Condition): string {
  switch (c.kind) {
    case 'all':
      return c.of.map((x) => (x.kind === 'any' ? `(${conditionWords(x)})` : conditionWords(x))).join(' and ');
    case 'any':
      return c.of.map((x) => (x.kind === 'all' ? `(${conditionWords(x)})` : conditionWords(x))).join(' or ');
    case 'not':
      return `not (${conditionWords(c.of)})`;
    case 'attribute': {
      const path = attributePath(c.scope, c.path);
      if (c.op === 'exists') return c.value === false ? `${path} is not set` : `${path} is set`;
      if (c.op === 'anniversary') {
        const days = (c.value as { days?: number }).days ?? 1;
        return `${path}'s day and month are ${days === 1 ? 'today' : `in the ${days} days from today`} (on each contact's own calendar)`;
      }
      return `${path} ${OP[c.op] ?? c.op} ${value(c.value)}`;
    }
    case 'event': {
      const within = c.withinMs === undefined ? '' : ` within ${formatDuration(c.withinMs)}`;
      const where = c.where ? ` where ${conditionWords(c.where)}` : '';
      if (c.count.op === 'is' && c.count.n === 0) return `no ${c.type}${within}${where}`;
      const times = `${c.count.n} time${c.count.n === 1 ? '' : 's'}`;
      const how = c.count.op === 'gte' ? `at least ${times}` : c.count.op === 'is' ? `exactly ${times}` : `${OP[c.count.op]} ${times}`;
      return `${c.type} ${how}${within}${where}`;
    }
    case 'consent':
      return `has consent for ${c.purpose}`;
    case 'lifecycle':
      return `lifecycle stage ${c.stages.length === 1 ? `is ${c.stages[0]}` : `is one of ${c.stages.join(', ')}`}`;
    case 'rfm':
      return `RFM cell ${c.cells.length === 1 ? `is ${c.cells[0]}` : `is one of ${c.cells.join(', ')}`}`;
    case 'segment':
      return `in segment ${c.name}`;
  }
}

const zoneWords = (zone: string) => (zone === 'contact' ? "each contact's local time" : zone);

/** `when checkout.started happens (one run per checkout_id; events up to 1d old)`. */
export function triggerWords(t: Trigger): string {
  switch (t.kind) {
    case 'event': {
      const notes = [
        ...(t.where ? [`where ${conditionWords(t.where)}`] : []),
        ...(t.correlate ? [`one run per ${t.correlate}`] : []),
        t.withinMs === null ? 'events of any age' : `events up to ${formatDuration(t.withinMs)} old`,
      ];
      return `when ${t.event} happens (${notes.join('; ')})`;
    }
    case 'schedule':
      return `${rruleWords(t.rrule)} (${zoneWords(t.timezone)}${t.start ? `, from ${t.start}` : ''}${t.until ? `, until ${t.until}` : ''})`;
    case 'at':
      return `once, at ${t.at} (${zoneWords(t.timezone)})`;
    case 'segment':
      return `when a contact ${t.change} segment ${t.segment}`;
  }
}

export function reEntryWords(r: ReEntry): string {
  return r.mode === 'never'
    ? 'once per contact, ever'
    : r.mode === 'always'
      ? 'every time it is triggered'
      : `again after ${formatDuration(r.ms)}`;
}

/** Numbered lines, nested steps indented: `2. wait up to 24h for email.clicked; if it does not come:`. */
export function stepsWords(steps: readonly Step[], indent = ''): string[] {
  const out: string[] = [];
  steps.forEach((s, i) => {
    const n = `${indent}${i + 1}. `;
    const sub = `${indent}   `;
    switch (s.kind) {
      case 'wait':
        out.push(`${n}wait ${formatDuration(s.ms)}`);
        break;
      case 'send':
        out.push(`${n}send ${s.template}${s.subject ? ` (subject "${s.subject}")` : ''}`);
        break;
      case 'wait_until':
        out.push(
          `${n}wait up to ${formatDuration(s.timeoutMs)} for ${s.event}${s.where ? ` where ${conditionWords(s.where)}` : ''}${
            s.onTimeout.length ? '; if it does not come:' : ''
          }`,
        );
        out.push(...stepsWords(s.onTimeout, sub));
        break;
      case 'branch':
        out.push(`${n}branch:`);
        for (const arm of s.arms) {
          out.push(`${sub}when ${conditionWords(arm.when)}:`);
          out.push(...stepsWords(arm.steps, `${sub}   `));
        }
        out.push(`${sub}otherwise:${s.otherwise.length ? '' : ' nothing'}`);
        out.push(...stepsWords(s.otherwise, `${sub}   `));
        break;
      case 'split':
        out.push(`${n}split: ${s.arms.map((a) => `${a.name} ${a.percent}%`).join(', ')}`);
        for (const arm of s.arms) {
          out.push(`${sub}${arm.name}:`);
          out.push(...stepsWords(arm.steps, `${sub}   `));
        }
        break;
      case 'update':
        out.push(
          `${n}set ${Object.entries(s.attributes)
            .map(([k, v]) => `${k} = ${value(v)}`)
            .join(', ')}`,
        );
        break;
      case 'emit':
        out.push(`${n}emit ${s.event}`);
        break;
      case 'webhook': {
        const held = [s.gate.consent && 'needs consent', (s.gate.quietHours || s.gate.blackout) && 'waits out quiet hours/blackout'].filter(
          Boolean,
        );
        out.push(
          `${n}call webhook POST ${s.url} (signed with ${s.secret ?? 'WEBHOOK_SECRET'}${held.length ? `; ${held.join(', ')}` : ''})`,
        );
        break;
      }
      case 'exit':
        out.push(`${n}exit`);
        break;
    }
  });
  return out;
}

/** What a new campaign does, as plan prints it under `+ campaign …`. */
export function campaignWords(p: CampaignPlan): string[] {
  return [
    `name: ${p.name}`,
    `purpose: ${p.purpose}, priority ${p.priority}`,
    `starts ${triggerWords(p.trigger)}`,
    `reaches ${p.audience ? conditionWords(p.audience) : 'everyone triggered'}`,
    // Broadcasts start one run per contact per occurrence: re_entry plays no part there.
    p.trigger.kind === 'schedule'
      ? 'enters at every occurrence (one run per contact each time; re_entry does not apply to schedules)'
      : p.trigger.kind === 'at'
        ? 'enters once, at that time'
        : `enters ${reEntryWords(p.reEntry)}`,
    ...(p.exitOn.length
      ? [`leaves on ${p.exitOn.map((e) => `${e.event}${e.where ? ` where ${conditionWords(e.where)}` : ''}`).join(', ')}`]
      : []),
    ...(p.goal
      ? [
          `goal: ${p.goal.event} (credited within ${formatDuration(p.goal.attribution.clickMs)} of a click, ${formatDuration(p.goal.attribution.openMs)} of an open)`,
        ]
      : []),
    ...(p.holdoutPercent ? [`holdout: ${p.holdoutPercent}% get nothing (for the lift)`] : []),
    'steps:',
    ...stepsWords(p.steps, '  '),
  ];
}

export interface SettingChange {
  setting: string;
  from: string;
  to: string;
}

/** The settings (not steps) that differ between two versions, old → new, in words. */
export function settingChanges(before: CampaignPlan, after: CampaignPlan): SettingChange[] {
  const words: Array<[string, (p: CampaignPlan) => string]> = [
    ['name', (p) => p.name],
    ['purpose', (p) => p.purpose],
    ['priority', (p) => String(p.priority)],
    ['trigger', (p) => triggerWords(p.trigger)],
    ['audience', (p) => (p.audience ? conditionWords(p.audience) : 'everyone triggered')],
    ['re_entry', (p) => reEntryWords(p.reEntry)],
    ['exit_on', (p) => p.exitOn.map((e) => `${e.event}${e.where ? ` where ${conditionWords(e.where)}` : ''}`).join(', ') || 'nothing'],
    [
      'goal',
      (p) =>
        p.goal
          ? `${p.goal.event} (click ${formatDuration(p.goal.attribution.clickMs)}, open ${formatDuration(p.goal.attribution.openMs)})`
          : 'none',
    ],
    ['holdout', (p) => `${p.holdoutPercent}%`],
    [
      'utm',
      (p) =>
        p.utm
          ? Object.entries(p.utm)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')
          : 'the defaults',
    ],
    ['migrate', (p) => String(p.migrate)],
  ];
  return words.flatMap(([setting, of]) => {
    const [from, to] = [of(before), of(after)];
    return from === to ? [] : [{ setting, from, to }];
  });
}
