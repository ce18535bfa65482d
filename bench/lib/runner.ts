import type { BenchCase, CaseContext, Check } from './case';
import { median, round, summary } from './stats';

/** One row of bench/results.json: a case at one size, medians of `repeats` runs of each side. */
export interface Result {
  case: string;
  title: string;
  size: number;
  unit: string;
  almanac: ReturnType<typeof summary>;
  baseline: ReturnType<typeof summary>;
  baselineIs: string;
  /** How many times better Almanac is than its baseline (throughput ÷ throughput, or time ÷ time inverted). */
  ratio: number;
  target: string;
  targetRatio: number;
  met: boolean;
  checks: Array<Check & { value: number; met: boolean }>;
  repeats: number;
}

export type Skipped = { case: string; title: string; skipped: string };

/** Run each case at each of its sizes, `repeats` times (default: see below), Almanac and baseline back to back each time. */
export async function runCases(cases: BenchCase[], ctx: CaseContext, repeats?: number): Promise<Array<Result | Skipped>> {
  const out: Array<Result | Skipped> = [];
  for (const c of cases) {
    if (c.needsPostgres && !ctx.databaseUrl) {
      out.push({ case: c.id, title: c.title, skipped: 'needs DATABASE_URL (a real PostgreSQL)' });
      ctx.log(`- ${c.id}: skipped, needs DATABASE_URL`);
      continue;
    }
    try {
      for (const size of ctx.quick ? c.sizes.quick : c.sizes.full) {
        const a: number[] = [];
        const b: number[] = [];
        const checks = new Map<string, { check: Check; values: number[] }>();
        // bench:quick is a smoke test: once each. A full run: 3 times, or the case's fullRepeats.
        const times = repeats ?? (ctx.quick ? 1 : (c.fullRepeats ?? 3));
        for (let i = 0; i < times; i++) {
          const m = await c.run(ctx, size);
          a.push(m.almanac);
          b.push(m.baseline);
          for (const k of m.checks ?? []) {
            const e = checks.get(k.name) ?? { check: k, values: [] };
            e.values.push(k.value);
            checks.set(k.name, e);
          }
          ctx.log(`  ${c.id} ×${size} #${i + 1}: almanac ${round(m.almanac)} ${c.unit}, baseline ${round(m.baseline)} ${c.unit}`);
        }
        const almanac = summary(a);
        const baseline = summary(b);
        // From the unrounded medians: a case timed in fractions of a second would get a coarse ratio from rounded ones.
        const [am, bm] = [median(a), median(b)];
        const ratio = round(c.better === 'higher' ? am / bm : bm / am, 3);
        const checked = [...checks.values()].map(({ check, values }) => {
          const value = summary(values).median;
          const met = (check.max === undefined || value <= check.max) && (check.min === undefined || value >= check.min);
          return { ...check, value, met };
        });
        const result: Result = {
          case: c.id,
          title: c.title,
          size,
          unit: c.unit,
          almanac,
          baseline,
          baselineIs: c.baseline,
          ratio,
          target: c.target.text,
          targetRatio: c.target.ratio,
          met: ratio >= c.target.ratio && checked.every((k) => k.met),
          checks: checked,
          repeats: times,
        };
        ctx.log(`= ${c.id} ×${size}: ratio ${ratio}× (target ${c.target.text}) ${result.met ? 'met' : 'NOT met'}`);
        out.push(result);
      }
    } finally {
      await c.teardown?.();
    }
  }
  return out;
}
