import { type SQL, sql } from 'drizzle-orm';
import type { ContactColumn } from '../../dsl/condition';
import { anniversaryGroups, monthDayPattern } from '../../dsl/conditions/anniversary';
import { isFiniteNumber, isIndexSegment, thresholdMs, timestampPattern } from '../../dsl/conditions/values';

/**
 * The SQL twin of `applyOp` in src/dsl/conditions/evaluate.ts: each attribute operator over a jsonb expression
 * that is SQL NULL or JSON null when the value is missing. Every fragment is non-null boolean
 * and cannot raise (no casts that may fail), so constant folding of a trigger value is safe.
 */

const json = (v: unknown): SQL => sql`${JSON.stringify(v)}::jsonb`;

/** The contact columns as jsonb; `created_at` as the ISO string `Date.toISOString()` prints. */
const columnJson: Record<ContactColumn, SQL> = {
  email: sql`to_jsonb(c.email)`,
  external_id: sql`to_jsonb(c.external_id)`,
  timezone: sql`to_jsonb(c.timezone)`,
  locale: sql`to_jsonb(c.locale)`,
  lifecycle_stage: sql`to_jsonb(c.lifecycle_stage)`,
  created_at: sql`to_jsonb(to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`,
};

export function contactColumnJson(path: string[]): SQL {
  const [column, ...rest] = path;
  if (rest.length > 0 || column === undefined || !Object.hasOwn(columnJson, column)) return sql`null::jsonb`;
  return columnJson[column as ContactColumn];
}

/**
 * `root` followed along `path`. Index-like steps go through `#>` (object key or array index,
 * as in `atPath`); any other step uses `-> text`, which is null on an array, as `atPath` is.
 */
export function jsonAtPath(root: SQL, path: string[]): SQL {
  let expr = root;
  let group: string[] = [];
  const flush = () => {
    if (group.length > 0)
      expr = sql`(${expr} #> array[${sql.join(
        group.map((g) => sql`${g}::text`),
        sql`, `,
      )}])`;
    group = [];
  };
  for (const seg of path) {
    if (isIndexSegment(seg)) {
      group.push(seg);
    } else {
      flush();
      expr = sql`(${expr} -> ${seg}::text)`;
    }
  }
  flush();
  return expr;
}

const present = (x: SQL): SQL => sql`(coalesce(jsonb_typeof(${x}), 'null') <> 'null')`;

const isSql = (x: SQL, w: unknown): SQL => (w === null || w === undefined ? sql`false` : sql`coalesce(${x} = ${json(w)}, false)`);

const numberOps = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` } as const;

export function attributeSql(op: string, x: SQL, w: unknown, now: Date): SQL {
  switch (op) {
    case 'exists':
      return w === false ? sql`(not ${present(x)})` : present(x);
    case 'is':
      return isSql(x, w);
    case 'is_not':
      return sql`(not ${isSql(x, w)})`;
    case 'in': {
      const options = Array.isArray(w) ? w.filter((o) => o !== null && o !== undefined) : [];
      if (options.length === 0) return sql`false`;
      return sql`coalesce(${x} in (${sql.join(options.map(json), sql`, `)}), false)`;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (!isFiniteNumber(w)) return sql`false`;
      return sql`coalesce(jsonb_typeof(${x}) = 'number' and ${x} ${numberOps[op]} ${json(w)}, false)`;
    case 'contains':
      return containsSql(x, w);
    case 'before':
    case 'after': {
      const limit = thresholdMs(w, now);
      if (limit === undefined) return sql`false`;
      const cmp = op === 'before' ? sql`<` : sql`>`;
      return sql`coalesce(${timestampMs(x)} ${cmp} ${String(limit)}::numeric, false)`;
    }
    case 'anniversary':
      return anniversarySql(x, w, now);
    default:
      return sql`false`;
  }
}

function containsSql(x: SQL, w: unknown): SQL {
  if (w === undefined) return sql`false`;
  const inString = typeof w === 'string' ? sql`when 'string' then strpos(${x} #>> '{}', ${w}::text) > 0` : sql``;
  const inArray = sql`when 'array' then exists (select 1 from jsonb_array_elements(${x}) el where el = ${json(w)})`;
  return sql`coalesce(case jsonb_typeof(${x}) ${inString} ${inArray} else false end, false)`;
}

/**
 * Epoch ms of a jsonb string in the accepted timestamp form (values.ts), or null. Integer
 * arithmetic on the regex captures, as `Date.UTC` does it: overflowing days roll over, nothing
 * can raise. Capture groups: 1 year … 7 fraction, 9 offset sign, 10–11 offset hours/minutes.
 */
function timestampMs(x: SQL): SQL {
  return sql`(select
      ((make_date(m[1]::int, m[2]::int, 1) - date '1970-01-01') + m[3]::int - 1)::bigint * 86400000
      + coalesce(m[4]::int, 0) * 3600000 + coalesce(m[5]::int, 0) * 60000 + coalesce(m[6]::int, 0) * 1000
      + coalesce(rpad(m[7], 3, '0')::int, 0)
      - case m[9] when '-' then -1 when '+' then 1 else 0 end * (coalesce(m[10]::int, 0) * 60 + coalesce(m[11]::int, 0)) * 60000
    from (select regexp_match(${x} #>> '{}', ${timestampPattern}::text) as m where jsonb_typeof(${x}) = 'string') r)`;
}

/** A text[] parameter of names that need no quoting (zone names, `MM-DD`). */
const textArray = (items: readonly string[]): SQL => sql`${`{${items.join(',')}}`}::text[]`;

/**
 * `anniversary`: the `MM-DD` of the value (monthDayPattern) is one of the month-days of the
 * contact's today. Which today is decided by the same data `anniversaryHolds` uses: the stored
 * zones grouped by their date at `now` (src/dsl/conditions/anniversary.ts); `c.timezone` in
 * none of the groups — no zone, an unknown one, or one sharing the calendar zone's date — takes
 * the calendar zone's. No database time zone is read, so nothing can raise.
 */
function anniversarySql(x: SQL, w: unknown, now: Date): SQL {
  const groups = anniversaryGroups(w, now);
  if (!groups) return sql`false`;
  const md = sql`(select m[1] || '-' || m[2]
    from (select regexp_match(${x} #>> '{}', ${monthDayPattern}::text) as m where jsonb_typeof(${x}) = 'string') r)`;
  const fallback = sql`${md} = any(${textArray(groups.fallback)})`;
  if (groups.byZones.length === 0) return sql`coalesce(${fallback}, false)`;
  const branches = groups.byZones.map((g) => sql`when c.timezone = any(${textArray(g.zones)}) then ${md} = any(${textArray(g.monthDays)})`);
  return sql`coalesce(case ${sql.join(branches, sql` `)} else ${fallback} end, false)`;
}
