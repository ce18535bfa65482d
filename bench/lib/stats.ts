/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median with its spread: min and max, and the spread as a fraction of the median. */
export function summary(xs: readonly number[]): { median: number; min: number; max: number; spread: number } {
  const med = median(xs);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { median: round(med), min: round(min), max: round(max), spread: med ? round((max - min) / med, 3) : 0 };
}

/** Whole numbers from 100 up, `digits` decimals from 1, three significant figures below 1 (0.0234 s stays 0.0234, not 0.02). */
export const round = (x: number, digits = 2) =>
  Math.abs(x) >= 100 ? Math.round(x) : Math.abs(x) >= 1 || x === 0 ? Number(x.toFixed(digits)) : Number(x.toPrecision(3));

/** The p-th percentile (0–100) of sorted-or-not values, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
