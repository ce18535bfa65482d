import type { Node } from 'yaml';
import { isScalar } from 'yaml';
import { type CalendarPlan, emptyCalendar, type PurposePlan, TRANSACTIONAL_PURPOSE } from '../plan';
import { type Entries, offsetIn, placeOf, readBool, readInt, readList, readMap, readName, readString, required } from './read';
import { checkPurpose } from './refs';
import { checkRrule } from './rrule';
import { type Source, deref, error } from '../source';
import { didYouMean } from '../suggest';
import { readDate, readDuration, readTimeOfDay, readZone } from './units';

/** The calendar used when a project has no calendar.yaml: UTC, no quiet hours, no caps. */

const keys = ['timezone', 'quiet_hours', 'blackout', 'frequency_caps', 'on_conflict', 'seasons', 'purposes'] as const;

/** calendar.yaml → CalendarPlan (see DESIGN.md); undefined after reporting. */
export function compileCalendar(source: Source): CalendarPlan | undefined {
  const root = deref(source, source.doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) return emptyCalendar();
  const e = readMap(source, root, 'calendar', keys);
  if (!e) return undefined;
  const timezoneNode = required(source, e, 'timezone', 'calendar', 'timezone: Europe/Warsaw');
  const timezone = timezoneNode && readZone(source, timezoneNode, 'timezone', false);
  const plan: CalendarPlan = {
    timezone: timezone ?? 'UTC',
    blackout: listOf(source, e, 'blackout', '- { date: 2026-12-25, reason: Christmas }', readBlackout),
    frequencyCaps: listOf(source, e, 'frequency_caps', '- { purpose: any, max: 1, per: 1d }', readCap),
    onConflict: readOnConflict(source, e),
    seasons: [],
    purposes: readPurposes(source, e),
  };
  const seasons = listOf(source, e, 'seasons', '- { name: Black Friday, from: 2026-11-27, to: 2026-11-30 }', readSeason);
  plan.seasons = seasons.map((s) => s.season);
  checkSeasonOverlaps(source, seasons);
  if (e.has('quiet_hours')) {
    const q = readMap(source, placeOf(e, 'quiet_hours'), 'quiet_hours', ['from', 'to']);
    const from = q && required(source, q, 'from', 'quiet_hours', 'from: "21:00"');
    const to = q && required(source, q, 'to', 'quiet_hours', 'to: "08:00"');
    const fromMinute = from && readTimeOfDay(source, from, 'quiet_hours from');
    const toMinute = to && readTimeOfDay(source, to, 'quiet_hours to');
    if (fromMinute !== undefined && fromMinute === toMinute)
      error(source, to, 'quiet_hours from and to are the same time', 'give the window a length, e.g. from: "21:00", to: "08:00"');
    else if (fromMinute !== undefined && toMinute !== undefined) plan.quietHours = { fromMinute, toMinute };
  }
  return plan;
}

function listOf<T>(source: Source, e: Entries, key: string, example: string, read: (s: Source, item: Node) => T | undefined): T[] {
  if (!e.has(key)) return [];
  const items = readList(source, placeOf(e, key), key, example) ?? [];
  return items.map((item) => read(source, item)).filter((x): x is T => x !== undefined);
}

function readBlackout(source: Source, item: Node): CalendarPlan['blackout'][number] | undefined {
  const b = readMap(source, item, 'blackout', ['date', 'rrule', 'reason']);
  if (!b) return undefined;
  const reasonNode = required(source, b, 'reason', 'blackout', 'reason: Christmas');
  const reason = reasonNode && readString(source, reasonNode, 'reason', 'reason: Christmas');
  if (b.has('date') === b.has('rrule'))
    return error(source, item, 'a blackout needs either date or rrule', 'e.g. { date: 2026-12-25, reason: Christmas }');
  if (b.has('date')) {
    const date = readDate(source, placeOf(b, 'date'), 'blackout date');
    return date && reason ? { date, reason } : undefined;
  }
  const rrule = readRruleValue(source, placeOf(b, 'rrule'));
  return rrule && reason ? { rrule, reason } : undefined;
}

/** An rrule value, checked; problems point at the offending part inside the string. */
export function readRruleValue(source: Source, node: Node | null): string | undefined {
  const text = readString(source, node, 'rrule', '"FREQ=WEEKLY;BYDAY=TU;BYHOUR=10"');
  if (text === undefined || !node) return undefined;
  const problems = checkRrule(text);
  for (const p of problems) error(source, offsetIn(node, p.index), p.message, p.hint);
  return problems.length ? undefined : text;
}

function readPurpose(source: Source, item: Node): PurposePlan | undefined {
  const p = readMap(source, item, 'purpose', ['id', 'label', 'description', 'double_opt_in']);
  if (!p) return undefined;
  const idNode = required(source, p, 'id', 'purpose', 'id: email.newsletter');
  const id = idNode && readName(source, idNode, 'purpose id', 'email.newsletter');
  if (id && idNode && !/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(id))
    return error(source, idNode, `purpose id "${id}" is not a dotted lower-case name`, 'e.g. email.marketing or email.newsletter');
  if (id === TRANSACTIONAL_PURPOSE && idNode)
    return error(
      source,
      idNode,
      `${TRANSACTIONAL_PURPOSE} needs no consent and cannot be declared`,
      'declare only purposes people opt into',
    );
  const labelNode = required(source, p, 'label', 'purpose', 'label: Offers and news');
  const label = labelNode && readTexts(source, labelNode, 'label');
  const description = p.has('description') ? readTexts(source, placeOf(p, 'description'), 'description') : {};
  const doubleOptIn = p.has('double_opt_in') ? readBool(source, placeOf(p, 'double_opt_in'), 'double_opt_in') : false;
  return id && label && description && doubleOptIn !== undefined ? { id, label, description, doubleOptIn } : undefined;
}

/** A text, or one per locale (`{ en: …, pl: … }`); a plain string is English. */
function readTexts(source: Source, node: Node | null, what: string): Record<string, string> | undefined {
  const n = deref(source, node);
  if (isScalar(n)) {
    const text = readString(source, n, what, `${what}: Offers and news`);
    return text === undefined ? undefined : { en: text };
  }
  const m = readMap(source, n, what, null);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const locale of m.keys) {
    if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale)) {
      error(source, m.keyNode(locale) ?? n, `"${locale}" is not a locale`, 'use locales such as en, pl or pt-BR');
      continue;
    }
    const text = readString(source, placeOf(m, locale), `${what} ${locale}`, `${locale}: Offers and news`);
    if (text !== undefined) out[locale] = text;
  }
  return Object.keys(out).length ? out : undefined;
}

function readPurposes(source: Source, e: Entries): PurposePlan[] {
  if (!e.has('purposes')) return [];
  const example = '- { id: email.marketing, label: Offers and news, description: What we send about sales }';
  const out: PurposePlan[] = [];
  for (const item of readList(source, placeOf(e, 'purposes'), 'purposes', example) ?? []) {
    const purpose = readPurpose(source, item);
    if (!purpose) continue;
    if (out.some((p) => p.id === purpose.id)) error(source, item, `purpose "${purpose.id}" is declared twice`, 'declare each purpose once');
    else out.push(purpose);
  }
  return out;
}

function readCap(source: Source, item: Node): CalendarPlan['frequencyCaps'][number] | undefined {
  const c = readMap(source, item, 'frequency cap', ['purpose', 'max', 'per']);
  if (!c) return undefined;
  const p = required(source, c, 'purpose', 'frequency cap', 'purpose: email.marketing (or any)');
  const purpose = p && readName(source, p, 'purpose', 'email.marketing');
  if (p && purpose && purpose !== 'any') checkPurpose(source, p, purpose);
  const m = required(source, c, 'max', 'frequency cap', 'max: 3');
  const max = m && readInt(source, m, 'max', 1, Infinity);
  const per = required(source, c, 'per', 'frequency cap', 'per: 7d');
  const perMs = per && readDuration(source, per, 'per');
  return purpose && max !== undefined && perMs !== undefined ? { purpose, max, perMs } : undefined;
}

function readOnConflict(source: Source, e: Entries): 'defer' | 'skip' {
  if (!e.has('on_conflict')) return 'defer';
  const node = placeOf(e, 'on_conflict');
  const v = isScalar(node) ? String(node.value) : '';
  if (v === 'defer' || v === 'skip') return v;
  error(
    source,
    node,
    `on_conflict "${v}" is not defer or skip`,
    didYouMean(v, ['defer', 'skip'], 'defer waits for the next allowed window; skip drops the send'),
  );
  return 'defer';
}

type Season = CalendarPlan['seasons'][number];

function readSeason(source: Source, item: Node): { season: Season; node: Node } | undefined {
  const s = readMap(source, item, 'season', ['name', 'from', 'to']);
  if (!s) return undefined;
  const n = required(source, s, 'name', 'season', 'name: Black Friday');
  const name = n && readString(source, n, 'season name', 'Black Friday');
  const f = required(source, s, 'from', 'season', 'from: 2026-11-27');
  const from = f && readDate(source, f, 'season from');
  const t = required(source, s, 'to', 'season', 'to: 2026-11-30');
  const to = t && readDate(source, t, 'season to');
  if (from && to && from > to) return error(source, t, `season "${name}" ends (${to}) before it starts (${from})`, 'swap from and to');
  return name && from && to ? { season: { name, from, to }, node: item } : undefined;
}

/** Seasons may not share a day; the later one in the file is reported. */
function checkSeasonOverlaps(source: Source, seasons: Array<{ season: Season; node: Node }>): void {
  seasons.forEach(({ season: b, node }, i) => {
    const a = seasons.slice(0, i).find(({ season: x }) => x.from <= b.to && b.from <= x.to)?.season;
    if (a)
      error(source, node, `season "${b.name}" overlaps "${a.name}" (${a.from} to ${a.to})`, 'seasons may not share days; move one of them');
  });
}
