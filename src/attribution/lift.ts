/**
 * Holdout lift: did the campaign beat the contacts it left out, by how much, with what certainty.
 * Pure: counts in, estimates and 95 % intervals out, usable from the first day (no minimum audience
 * to compute; `enough` says when the numbers are still too thin to read).
 *
 * Methods, stated so a report can print them:
 * - conversion rate per group: Wilson score interval;
 * - absolute lift (treated rate − held-out rate): Newcomb's hybrid Wilson score interval
 *   (Newcomb 1998, "Interval estimation for the difference between independent proportions",
 *   method 10): L = d − √((p₁−l₁)² + (u₂−p₂)²), U = d + √((u₁−p₁)² + (p₂−l₂)²);
 * - relative lift (treated rate / held-out rate − 1): the Katz log interval for the risk ratio,
 *   exp(ln RR ± z·√(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂)) − 1 (Katz et al. 1978); null when either group has
 *   no converter (the ratio or its log is undefined);
 * - revenue per contact (every contact, non-buyers as 0): difference of means with Welch's t
 *   interval and Welch–Satterthwaite degrees of freedom, the t quantile computed exactly.
 */
import { AppError } from '../errors';
import { Z95, tQuantile, wilson, type Interval } from './stats';

/** Below these, in either group, `enough` is false: the intervals are honest but too wide to act on. */
export const LIFT_MINIMUMS = Object.freeze({ contacts: 30, converters: 5 });

export const LIFT_METHODS = Object.freeze({
  rate: 'Wilson score interval',
  absolute: 'Newcomb hybrid Wilson score (Newcomb 1998, method 10)',
  relative: 'Katz log risk-ratio interval',
  revenuePerContact: "Welch's t interval (Welch–Satterthwaite df)",
});

/**
 * One arm of a holdout. `revenue` is either the revenue of each contact who had any (missing
 * contacts count as 0, so the list may be shorter than `contacts`), or its `sum` and `sumSquares`
 * over all contacts (zeros add nothing), which is what a SQL aggregate returns.
 */
export interface GroupInput {
  contacts: number;
  converters: number;
  revenue: readonly number[] | { sum: number; sumSquares: number };
}

export interface GroupSummary {
  contacts: number;
  converters: number;
  rate: number | null;
  rateCi: Interval | null;
  revenue: number;
  revenuePerContact: number | null;
}

export interface Estimate {
  estimate: number;
  ci: Interval;
}

export interface LiftResult {
  enough: boolean;
  /** Why `enough` is false (null when it is true). */
  reason: string | null;
  treated: GroupSummary;
  heldOut: GroupSummary;
  absolute: Estimate | null;
  relative: Estimate | null;
  revenuePerContact: (Estimate & { df: number }) | null;
}

/** Count, mean, sample variance and sum of revenue per contact over a whole group. */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
  sum: number;
}

function validate(name: string, g: GroupInput): void {
  const bad = (field: string, why: string): never => {
    throw new AppError('validation_failed', `${name}.${field}: ${why}`, { details: { field: `${name}.${field}` } });
  };
  if (!Number.isInteger(g.contacts) || g.contacts < 0) bad('contacts', 'must be an integer ≥ 0');
  if (!Number.isInteger(g.converters) || g.converters < 0) bad('converters', 'must be an integer ≥ 0');
  if (g.converters > g.contacts) bad('converters', 'cannot exceed contacts');
  if (Array.isArray(g.revenue) && g.revenue.length > g.contacts) bad('revenue', 'more values than contacts');
}

/** Mean and sample variance over all contacts; two-pass from the values when given, else from the sums (clamped at 0). */
function moments(g: GroupInput): Moments {
  const n = g.contacts;
  const rev = g.revenue;
  if ('sum' in rev) {
    const mean = n > 0 ? rev.sum / n : 0;
    const variance = n > 1 ? Math.max(0, (rev.sumSquares - n * mean * mean) / (n - 1)) : 0;
    return { n, mean, variance, sum: rev.sum };
  }
  const values = rev as readonly number[];
  const sum = values.reduce((a, v) => a + v, 0);
  const mean = n > 0 ? sum / n : 0;
  const squares = values.reduce((a, v) => a + (v - mean) ** 2, 0) + (n - values.length) * mean * mean;
  return { n, mean, variance: n > 1 ? squares / (n - 1) : 0, sum };
}

function summary(g: GroupInput, m: Moments): GroupSummary {
  return {
    contacts: g.contacts,
    converters: g.converters,
    rate: g.contacts > 0 ? g.converters / g.contacts : null,
    rateCi: wilson(g.converters, g.contacts),
    revenue: m.sum,
    revenuePerContact: g.contacts > 0 ? m.mean : null,
  };
}

/** Newcomb's method 10 for p₁ − p₂. */
export function newcombDifference(x1: number, n1: number, x2: number, n2: number, z = Z95): Estimate | null {
  const w1 = wilson(x1, n1, z);
  const w2 = wilson(x2, n2, z);
  if (!w1 || !w2) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const d = p1 - p2;
  return {
    estimate: d,
    ci: { lower: d - Math.hypot(p1 - w1.lower, w2.upper - p2), upper: d + Math.hypot(w1.upper - p1, p2 - w2.lower) },
  };
}

/** Katz's log interval for p₁ / p₂, returned as relative lift (ratio − 1). */
export function katzRelative(x1: number, n1: number, x2: number, n2: number, z = Z95): Estimate | null {
  if (x1 <= 0 || x2 <= 0 || n1 <= 0 || n2 <= 0) return null;
  const ratio = x1 / n1 / (x2 / n2);
  const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2);
  return { estimate: ratio - 1, ci: { lower: ratio * Math.exp(-z * se) - 1, upper: ratio * Math.exp(z * se) - 1 } };
}

/**
 * Welch's interval for mean₁ − mean₂. With no variance in either group the interval collapses to
 * the point (df reported as Infinity); null when a group has fewer than 2 contacts.
 */
export function welchDifference(a: Moments, b: Moments): (Estimate & { df: number }) | null {
  if (a.n < 2 || b.n < 2) return null;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const d = a.mean - b.mean;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { estimate: d, ci: { lower: d, upper: d }, df: Infinity };
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const t = tQuantile(0.975, df);
  return { estimate: d, ci: { lower: d - t * se, upper: d + t * se }, df };
}

function shortfall(treated: GroupInput, heldOut: GroupInput): string | null {
  const short: string[] = [];
  for (const [name, g] of [
    ['treated', treated],
    ['held-out', heldOut],
  ] as const) {
    if (g.contacts < LIFT_MINIMUMS.contacts) short.push(`${name} has ${g.contacts} contacts (needs ${LIFT_MINIMUMS.contacts})`);
    if (g.converters < LIFT_MINIMUMS.converters) short.push(`${name} has ${g.converters} converters (needs ${LIFT_MINIMUMS.converters})`);
  }
  return short.length === 0 ? null : `not enough data yet: ${short.join('; ')}`;
}

/** Lift of one campaign's treated group over its held-out group. Estimates are given even when `enough` is false. */
export function lift(treated: GroupInput, heldOut: GroupInput): LiftResult {
  validate('treated', treated);
  validate('heldOut', heldOut);
  const mt = moments(treated);
  const mh = moments(heldOut);
  const reason = shortfall(treated, heldOut);
  return {
    enough: reason === null,
    reason,
    treated: summary(treated, mt),
    heldOut: summary(heldOut, mh),
    absolute: newcombDifference(treated.converters, treated.contacts, heldOut.converters, heldOut.contacts),
    relative: katzRelative(treated.converters, treated.contacts, heldOut.converters, heldOut.contacts),
    revenuePerContact: welchDifference(mt, mh),
  };
}
