/**
 * The condition language, compiled. One AST, two backends: `toSql` (src/storage/conditions/sql.ts,
 * for audiences and segments over contacts/events/consent) and `evaluate`
 * (src/dsl/conditions/evaluate.ts, in memory, for branches). A property test proves they agree.
 *
 * YAML → AST (done by the compiler):
 *   all: [..] / any: [..] / not: {..}
 *   attribute: PATH  + one of is, is_not, in, gt, gte, lt, lte, contains, exists, before, after,
 *                      anniversary (`today` or `{ within: 7d }`: a birthday, on the contact's calendar)
 *   event: TYPE      + count (N = at least N, or {gte|gt|lte|lt|is: N}), within, where
 *   no_event: TYPE   + within, where
 *   consent: PURPOSE
 *   lifecycle: STAGE | [STAGES]
 *   rfm: CELL | [CELLS]   (src/analytics/rfm.ts names the cells)
 *   segment: NAME    (inlined by the compiler, name kept for messages)
 */
export type AttributeOp = 'is' | 'is_not' | 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'exists' | 'before' | 'after' | 'anniversary';
export type CountOp = 'gte' | 'gt' | 'lte' | 'lt' | 'is';

/**
 * A point in time in a condition: an absolute instant, or relative to `now` (`30d ago` is
 * `{ agoMs: 2592000000 }`). Conditions never read a clock; `now` is passed in.
 */
export type TimeValue = { at: string } | { agoMs: number };

/**
 * Where an attribute path looks, decided by its first segment:
 * - `email`, `external_id`, `timezone`, `locale`, `lifecycle_stage`, `created_at`: the contact's column;
 * - `trigger.X…` and `cart.X…`: the properties of the event that started the run (the cart of a checkout);
 * - `customer.X…` and `predicted.X…`: what customer analytics knows (`customer_metrics.doc`: orders,
 *   revenue, value, r/f/m, rfm, stage; `predicted.churn_risk`, `predicted.alive`, …);
 * - `attributes.X…` or anything else: the contact's `attributes` json.
 * Inside `event … where:` paths are relative to that event's properties.
 */
export type AttributeScope = 'contact' | 'attributes' | 'trigger' | 'properties' | 'customer';

export type Condition =
  | { kind: 'all'; of: Condition[] }
  | { kind: 'any'; of: Condition[] }
  | { kind: 'not'; of: Condition }
  | {
      kind: 'attribute';
      scope: AttributeScope;
      /** Path inside the scope; for `contact`, one column name. */
      path: string[];
      op: AttributeOp;
      /**
       * `exists`: boolean; `in`: array; `before`/`after`: TimeValue; `anniversary`:
       * AnniversaryValue (src/dsl/conditions/anniversary.ts); others: string | number | boolean.
       */
      value: unknown;
    }
  | { kind: 'event'; type: string; count: { op: CountOp; n: number }; withinMs?: number; where?: Condition }
  | { kind: 'consent'; purpose: string }
  | { kind: 'lifecycle'; stages: string[] }
  | { kind: 'rfm'; cells: string[] }
  | { kind: 'segment'; name: string; condition: Condition };

/** `no_event: T` compiles to `{ kind: 'event', type: T, count: { op: 'is', n: 0 } }`. */
export const contactColumns = ['email', 'external_id', 'timezone', 'locale', 'lifecycle_stage', 'created_at'] as const;
export type ContactColumn = (typeof contactColumns)[number];

/** What the in-memory backend evaluates a condition over (the SQL backend reads the same from tables). */
export interface ContactFacts {
  id: number;
  external_id: string | null;
  email: string | null;
  timezone: string | null;
  locale: string | null;
  lifecycle_stage: string | null;
  created_at: Date;
  attributes: Record<string, unknown>;
  /** Customer analytics (`customer_metrics.doc`); absent or {} before the first pass. */
  customer?: Record<string, unknown>;
}

export interface EventFact {
  type: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
}

export interface Facts {
  contact: ContactFacts;
  /** The contact's events (any order). Only those at or before `now` count. */
  events: EventFact[];
  /** Current consent per purpose: the newest ledger row decides; absent means not granted. */
  consent: Record<string, boolean>;
  /** Properties of the event that started the run, for `trigger.` / `cart.` paths. */
  trigger?: Record<string, unknown>;
}

/** The in-memory backend's signature (implemented in src/dsl/conditions/evaluate.ts). */
export type Evaluate = (condition: Condition, facts: Facts, now: Date) => boolean;
