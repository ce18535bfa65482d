/**
 * Daily rollups of credits, the rows a campaign report reads instead of scanning every order: one
 * per (campaign, model, day, currency, network), day being the calendar day of the ORDER in the
 * shop's IANA zone (Intl, never the process TZ). `orders` is the sum of weights (fractional orders
 * under linear and time decay) and `revenueMinor` exact integer minor units.
 *
 * Currency and network are part of the key beyond (campaign, model, day): summing PLN with EUR
 * would be silent conversion, and "which network's links sell" needs the network; a report that
 * wants one number per day adds rows itself, applying its stated conversion rule.
 *
 * Incremental: a new order's credits roll up into an increment that `mergeRollups` adds to the
 * stored rows; a refund or a recompute adds `negateRollup(old)` and then the new credits.
 */
import { AppError } from '../errors';
import { fromMinor } from './money';
import type { Credit, Model } from './types';

export interface RollupRow {
  campaign: string;
  model: Model;
  /** YYYY-MM-DD in the rollup's zone. */
  day: string;
  currency: string;
  network: string | null;
  orders: number;
  revenueMinor: number;
  revenue: number;
}

/** A formatter of instants to their YYYY-MM-DD in `zone`; an unknown zone is a validation error. */
export function dayFormatter(zone: string): (at: Date) => string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', calendar: 'gregory' });
  } catch {
    throw new AppError('validation_failed', `zone: not an IANA time zone: ${JSON.stringify(zone)}`, { details: { field: 'zone' } });
  }
  return (at) => {
    const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  };
}

const keyOf = (r: Pick<RollupRow, 'campaign' | 'model' | 'day' | 'currency' | 'network'>): string =>
  JSON.stringify([r.campaign, r.model, r.day, r.currency, r.network]);

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rows in a stable order: day, campaign, model, currency, network. */
function sorted(rows: Iterable<RollupRow>): RollupRow[] {
  return [...rows].sort(
    (a, b) =>
      cmp(a.day, b.day) ||
      cmp(a.campaign, b.campaign) ||
      cmp(a.model, b.model) ||
      cmp(a.currency, b.currency) ||
      cmp(a.network ?? '', b.network ?? ''),
  );
}

/** Orders below this (float residue of adding and removing weights) with no revenue are an empty row, dropped. */
const EMPTY_ORDERS = 1e-9;

function add(into: Map<string, RollupRow>, row: Omit<RollupRow, 'revenue'>): void {
  const key = keyOf(row);
  const seen = into.get(key);
  const orders = (seen?.orders ?? 0) + row.orders;
  const revenueMinor = (seen?.revenueMinor ?? 0) + row.revenueMinor;
  into.set(key, { ...row, orders, revenueMinor, revenue: fromMinor(revenueMinor, row.currency) });
}

function compact(rows: Map<string, RollupRow>): RollupRow[] {
  return sorted([...rows.values()].filter((r) => Math.abs(r.orders) >= EMPTY_ORDERS || r.revenueMinor !== 0));
}

/** The daily rows of `credits`, each credit dated by its order's time (`orderAt`, every order must be there) in `zone`. */
export function rollup(credits: readonly Credit[], orderAt: ReadonlyMap<number, Date>, zone: string): RollupRow[] {
  const dayOf = dayFormatter(zone);
  const rows = new Map<string, RollupRow>();
  for (const c of credits) {
    const at = orderAt.get(c.orderId);
    if (!at) throw new AppError('validation_failed', `orderAt: no time for order ${c.orderId}`, { details: { field: 'orderAt' } });
    add(rows, {
      campaign: c.campaign,
      model: c.model,
      day: dayOf(at),
      currency: c.currency,
      network: c.network,
      orders: c.weight,
      revenueMinor: c.revenueMinor,
    });
  }
  return compact(rows);
}

/** `base` plus every increment, row by row; rows that cancel out to nothing are dropped. */
export function mergeRollups(base: readonly RollupRow[], ...increments: ReadonlyArray<readonly RollupRow[]>): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const list of [base, ...increments]) for (const r of list) add(rows, r);
  return compact(rows);
}

/** The increment that removes `rows` again (for refunds and recomputes). */
export function negateRollup(rows: readonly RollupRow[]): RollupRow[] {
  return rows.map((r) => ({ ...r, orders: -r.orders, revenueMinor: -r.revenueMinor, revenue: -r.revenue }));
}
