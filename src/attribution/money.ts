/**
 * Money arithmetic for credits. Revenue is split in integer minor units (cents; none for JPY, three
 * for KWD, as Intl knows them) so the shares of an order add up to its revenue exactly, with no
 * float drift for reports and rollups to explain away.
 */
import { AppError } from '../errors';

/**
 * Digits by currency code, as Intl answered them. A memo of a pure fact (Intl's table does not
 * change while the process runs), bounded by the codes Intl accepts: building a NumberFormat
 * per amount cost the analytics phase a third of its time. Rejected codes are not kept.
 */
const digitsOf = new Map<string, number>();

/** Minor-unit digits of an ISO 4217 currency (PLN 2, JPY 0, KWD 3) from Intl; a malformed code is a validation error. */
export function minorDigits(currency: string): number {
  const known = digitsOf.get(currency);
  if (known !== undefined) return known;
  try {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    if (digitsOf.size < 1000) digitsOf.set(currency, digits);
    return digits;
  } catch {
    throw new AppError('validation_failed', `currency: not an ISO 4217 code: ${JSON.stringify(currency)}`, {
      details: { field: 'currency' },
    });
  }
}

/** `amount` (major units) in minor units, rounded half away from zero after removing binary noise (1.005 → 101). */
export function toMinor(amount: number, currency: string): number {
  const scaled = amount * 10 ** minorDigits(currency);
  return Math.round(Number(scaled.toPrecision(15)));
}

/** Minor units back to major units (an exact decimal as far as a double can be). */
export function fromMinor(minor: number, currency: string): number {
  const digits = minorDigits(currency);
  return Number((minor / 10 ** digits).toFixed(digits));
}

/**
 * An order's revenue after refunds: `total` minus every refund, never below zero. A refund larger
 * than what is left is refused (the HTTP edge turns it into a 400), not silently clamped.
 */
export function netRevenue(total: number, refunds: readonly number[], currency: string): number {
  if (!(total >= 0)) throw new AppError('validation_failed', 'total: must be a number ≥ 0', { details: { field: 'total' } });
  let left = toMinor(total, currency);
  for (const refund of refunds) {
    const minor = toMinor(refund, currency);
    if (!(minor >= 0)) throw new AppError('validation_failed', 'refund: must be a number ≥ 0', { details: { field: 'refund' } });
    if (minor > left)
      throw new AppError('validation_failed', 'refund: larger than what is left of the order', { details: { field: 'refund' } });
    left -= minor;
  }
  return fromMinor(left, currency);
}

/**
 * `total` minor units split in proportion to `weights` by largest remainder (Hamilton): each share
 * is the floor of its exact amount, and the units left over go one each to the largest fractional
 * parts, ties to the earlier index. The result sums to `total` exactly and depends only on the
 * order of `weights`, which callers keep deterministic.
 */
export function splitMinor(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  if (weights.length === 0 || !(sum > 0)) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map((x) => Math.floor(x));
  let left = total - shares.reduce((a, s) => a + s, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  // Float error can leave the floors one unit over or under `total`; walk the remainders either way.
  for (let k = 0; left > 0; k = (k + 1) % byRemainder.length, left--) shares[byRemainder[k]!.i]! += 1;
  for (let k = byRemainder.length - 1; left < 0; k = (k - 1 + byRemainder.length) % byRemainder.length) {
    const i = byRemainder[k]!.i;
    if (shares[i]! > 0) {
      shares[i]! -= 1;
      left++;
    }
  }
  return shares;
}
