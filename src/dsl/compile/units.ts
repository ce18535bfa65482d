import { type Node, isScalar } from 'yaml';
import type { TimeValue } from '../condition';
import { type Source, describe, error } from '../source';
import { closest } from '../suggest';

/**
 * The scalar units of the DSL.
 *
 * Durations: a whole number and one unit — `45s`, `30m`, `1h`, `2d`, `1w` — compiled to
 * milliseconds. Seconds are accepted (handy for tests and `simulate`); months and years are not,
 * because their length varies: write `30d` or `365d`. Zero and fractions are refused.
 */
const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * unitMs[m[2] as keyof typeof unitMs];
  return ms > 0 ? ms : undefined;
}

export function readDuration(source: Source, node: Node | null, what: string): number | undefined {
  const text = isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : undefined;
  const ms = text === undefined ? undefined : parseDuration(text);
  if (ms !== undefined) return ms;
  if (text !== undefined && /^\d+$/.test(text))
    return error(source, node, `${what} "${text}" has no unit`, `add one: ${text}m, ${text}h, ${text}d or ${text}w`);
  if (text !== undefined && /^\d*\.\d+/.test(text))
    return error(source, node, `${what} "${text}" is not a whole number of units`, 'use a smaller unit, e.g. 90m instead of 1.5h');
  if (text !== undefined && /^\d+(mo|y|month|months|year|years)$/.test(text))
    return error(source, node, `${what} "${text}" uses a unit of varying length`, 'write days, e.g. 30d or 365d');
  if (text !== undefined && /^0+[smhdw]$/.test(text)) return error(source, node, `${what} must be longer than 0`, 'e.g. 1h');
  const shown = text !== undefined ? `"${text}"` : describe(node);
  return error(source, node, `${what} ${shown} is not a duration`, 'write a number and a unit: 45s, 30m, 1h, 2d or 1w');
}

/** `10%`, `12.5%` → 10, 12.5. A bare number is refused: `10` could mean 10 % or 0.1. */
export function readPercent(
  source: Source,
  node: Node | null,
  what: string,
  opts: { min: number; max: number; minExclusive?: boolean },
): number | undefined {
  const text = isScalar(node) ? String(node.value) : undefined;
  const m = text === undefined ? null : /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim());
  if (!m) {
    const shown = text !== undefined ? `"${text}"` : describe(node);
    const hint = isScalar(node) && typeof node.value === 'number' ? `add the percent sign: ${node.value}%` : 'write a percentage like 10%';
    return error(source, node, `${what} ${shown} is not a percentage`, hint);
  }
  const p = Number(m[1]);
  if (p > opts.max || p < opts.min || (opts.minExclusive && p === opts.min)) {
    return error(
      source,
      node,
      `${what} ${text} is out of range`,
      opts.minExclusive ? `use more than ${opts.min}% and at most ${opts.max}%` : `use ${opts.min}% to ${opts.max}%`,
    );
  }
  return p;
}

const localRe = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

function validDate(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** A wall-clock date-time without a zone (`2026-11-27T10:00`, or a date = midnight) → `YYYY-MM-DDTHH:mm`. */
export function readLocalDateTime(source: Source, node: Node | null, what: string): string | undefined {
  const text = isScalar(node) ? String(node.value) : '';
  const m = localRe.exec(text);
  if (!m) {
    if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(text))
      return error(
        source,
        node,
        `${what} "${text}" has a zone offset`,
        'write local time, e.g. 2026-11-27T10:00, and set timezone: separately',
      );
    return error(
      source,
      node,
      `${what} ${text ? `"${text}"` : describe(node)} is not a date-time`,
      'write YYYY-MM-DDTHH:mm, e.g. 2026-11-27T10:00',
    );
  }
  const [y, mo, d, h = '00', mi = '00', s = '00'] = m.slice(1) as [string, string, string, string?, string?, string?];
  if (!validDate(+y, +mo, +d) || +h > 23 || +mi > 59 || +s > 59)
    return error(source, node, `${what} "${text}" is not a real date and time`, 'check the month, day and hour');
  return `${y}-${mo}-${d}T${h}:${mi}`;
}

/** A calendar date `YYYY-MM-DD`. */
export function readDate(source: Source, node: Node | null, what: string): string | undefined {
  const text = isScalar(node) ? String(node.value) : '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return error(source, node, `${what} ${text ? `"${text}"` : describe(node)} is not a date`, 'write YYYY-MM-DD, e.g. 2026-12-25');
  if (!validDate(+m[1]!, +m[2]!, +m[3]!)) return error(source, node, `${what} "${text}" is not a real date`, 'check the month and day');
  return text;
}

/**
 * A point in time inside a condition: `30d ago` (relative to the `now` the condition is evaluated
 * at), a date (midnight UTC), or a date-time with `Z` or an offset. A date-time without a zone is
 * refused: conditions never depend on the process zone.
 */
export function readTimeValue(source: Source, node: Node | null, what: string): TimeValue | undefined {
  const text = isScalar(node) ? String(node.value).trim() : '';
  const ago = /^(.*?)\s*ago$/.exec(text);
  if (ago) {
    const ms = parseDuration(ago[1]!.replace(/\s+/g, ''));
    if (ms === undefined)
      return error(source, node, `${what} "${text}" is not a relative date`, 'write a duration and "ago", e.g. 30d ago');
    return { agoMs: ms };
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (date && validDate(+date[1]!, +date[2]!, +date[3]!)) return { at: `${text}T00:00:00.000Z` };
  const full = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (full && validDate(+full[1]!, +full[2]!, +full[3]!) && !Number.isNaN(Date.parse(text))) return { at: new Date(text).toISOString() };
  if (localRe.test(text)) return error(source, node, `${what} "${text}" has no zone`, `add Z or an offset, e.g. ${text}Z`);
  return error(
    source,
    node,
    `${what} ${text ? `"${text}"` : describe(node)} is not a date`,
    'write 2026-01-31, 2026-01-31T10:00Z or 30d ago',
  );
}

/** `HH:MM` → minutes after midnight. */
export function readTimeOfDay(source: Source, node: Node | null, what: string): number | undefined {
  const text = isScalar(node) ? String(node.value) : '';
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || +m[1]! > 23 || +m[2]! > 59) {
    return error(
      source,
      node,
      `${what} ${text ? `"${text}"` : describe(node)} is not a time of day`,
      'write HH:MM in 24-hour time, in quotes, e.g. "21:00"',
    );
  }
  return +m[1]! * 60 + +m[2]!;
}

/** An IANA zone, returned in its canonical spelling (`europe/warsaw` → `Europe/Warsaw`). */
export function readZone(source: Source, node: Node | null, what: string, allowContact: boolean): string | undefined {
  const text = isScalar(node) ? String(node.value) : '';
  if (allowContact && text === 'contact') return 'contact';
  try {
    if (text) return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    // not a zone: reported below
  }
  const near = closest(text, [...(allowContact ? ['contact'] : []), 'UTC', ...Intl.supportedValuesOf('timeZone')]);
  const fallback = allowContact ? 'use contact or an IANA zone such as Europe/Warsaw' : 'use an IANA zone such as Europe/Warsaw';
  return error(source, node, `unknown ${what} ${text ? `"${text}"` : describe(node)}`, near ? `did you mean "${near}"?` : fallback);
}
