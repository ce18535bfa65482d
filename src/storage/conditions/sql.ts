import { type SQL, sql } from 'drizzle-orm';
import type { Condition } from '../../dsl/condition';
import { compareCount } from '../../dsl/conditions/evaluate';
import { attributeSql, contactColumnJson, jsonAtPath } from './sql-attribute';
import { windowStartMs } from '../../dsl/conditions/values';

export interface SqlContext {
  now: Date;
  /** Properties of the event that started the run, for `trigger.` / `cart.` paths. */
  trigger?: Record<string, unknown>;
}

/**
 * The SQL backend: a boolean expression over the contacts table aliased `c`, e.g.
 * `select c.id from contacts c where ${toSql(cond, { now })}`. Events and consent are read by
 * correlated subqueries. Every value is a bound parameter, and `now` is one too (never the
 * database's now()), so the answer is exactly `evaluate`'s (semantics in src/dsl/conditions/evaluate.ts).
 * Every fragment is a non-null boolean, so `not` never meets SQL's unknown.
 */
export function toSql(condition: Condition, ctx: SqlContext): SQL {
  return build(condition, { ...ctx, eventDepth: 0 });
}

interface Build extends SqlContext {
  /** How many `event … where` levels enclose this node; alias `e{depth-1}` is the innermost. */
  eventDepth: number;
}

const iso = (ms: number): SQL => sql`${new Date(ms).toISOString()}::timestamptz`;

function build(c: Condition, b: Build): SQL {
  switch (c.kind) {
    case 'all':
      return c.of.length === 0
        ? sql`true`
        : sql`(${sql.join(
            c.of.map((x) => build(x, b)),
            sql` and `,
          )})`;
    case 'any':
      return c.of.length === 0
        ? sql`false`
        : sql`(${sql.join(
            c.of.map((x) => build(x, b)),
            sql` or `,
          )})`;
    case 'not':
      return sql`(not ${build(c.of, b)})`;
    case 'segment':
      return build(c.condition, b);
    case 'lifecycle':
      if (c.stages.length === 0) return sql`false`;
      return sql`coalesce(c.lifecycle_stage in (${sql.join(
        c.stages.map((s) => sql`${s}::text`),
        sql`, `,
      )}), false)`;
    case 'rfm':
      if (c.cells.length === 0) return sql`false`;
      return sql`exists (select 1 from customer_metrics cm where cm.contact_id = c.id and cm.rfm in (${sql.join(
        c.cells.map((x) => sql`${x}::text`),
        sql`, `,
      )}))`;
    case 'consent':
      return sql`coalesce((select cr.granted from consent_records cr
        where cr.contact_id = c.id and cr.purpose = ${c.purpose}::text and cr.occurred_at <= ${iso(b.now.getTime())}
        order by cr.occurred_at desc, cr.id desc limit 1), false)`;
    case 'event':
      return eventSql(c, b);
    case 'attribute':
      return attributeSql(c.op, scopeJson(c.scope, c.path, b), c.value, b.now);
  }
}

function scopeJson(scope: string, path: string[], b: Build): SQL {
  switch (scope) {
    case 'contact':
      return contactColumnJson(path);
    case 'attributes':
      return jsonAtPath(sql`c.attributes`, path);
    case 'customer':
      return jsonAtPath(sql`(select cm.doc from customer_metrics cm where cm.contact_id = c.id)`, path);
    case 'trigger':
      return b.trigger === undefined ? sql`null::jsonb` : jsonAtPath(sql`${JSON.stringify(b.trigger)}::jsonb`, path);
    case 'properties':
      return b.eventDepth === 0 ? sql`null::jsonb` : jsonAtPath(sql.raw(`e${b.eventDepth - 1}.properties`), path);
    default:
      return sql`null::jsonb`;
  }
}

/** `count(*) op n` over the contact's matching events; `≥ 1` and `= 0` become (not) exists. */
function eventSql(c: Extract<Condition, { kind: 'event' }>, b: Build): SQL {
  const { op, n } = c.count;
  if (!Number.isFinite(n)) return compareCount(0, op, n) ? sql`true` : sql`false`;
  const e = sql.raw(`e${b.eventDepth}`);
  const from = windowStartMs(b.now, c.withinMs);
  const filters = [
    sql`${e}.contact_id = c.id`,
    sql`${e}.type = ${c.type}::text`,
    sql`${e}.occurred_at <= ${iso(b.now.getTime())}`,
    ...(from === undefined ? [] : [sql`${e}.occurred_at >= ${iso(from)}`]),
    ...(c.where ? [build(c.where, { ...b, eventDepth: b.eventDepth + 1 })] : []),
  ];
  const matching = sql`from events ${e} where ${sql.join(filters, sql` and `)}`;
  if (op === 'gte' && n > 0 && n <= 1) return sql`exists (select 1 ${matching})`;
  if ((op === 'is' && n === 0) || (op === 'lt' && n > 0 && n <= 1)) return sql`(not exists (select 1 ${matching}))`;
  const ops = { gte: sql`>=`, gt: sql`>`, lte: sql`<=`, lt: sql`<`, is: sql`=` } as const;
  if (!(op in ops)) return sql`false`;
  return sql`((select count(*) ${matching}) ${ops[op]} ${String(n)}::numeric)`;
}
