/**
 * One benchmark case: Almanac and its baseline measured back to back on the same machine and
 * database, `repeats` times per size. `run` returns one measurement of each (in `unit`); the
 * runner (./runner.ts) takes medians and spreads and the ratio, and checks the target.
 */
export interface BenchCase {
  id: string;
  title: string;
  /** What the baseline is, in a few words: "raw handlebars, compiled once". */
  baseline: string;
  unit: string;
  /** Throughputs: higher is better (ratio = almanac / baseline). Times: lower (ratio = baseline / almanac). */
  better: 'higher' | 'lower';
  /** The ratio to reach (the target), with its words; ratio 0: none, the figures are reported (the table's met column shows —). */
  target: { ratio: number; text: string };
  /** Sizes to run: `quick` for bench:quick (smoke, small), `full` for npm run bench. */
  sizes: { quick: number[]; full: number[] };
  /**
   * Repeats at full size when a case's one run takes many minutes (the analytics pass over 1M
   * contacts: ~10 min): the README states it. Default: the command's `--repeats` (3).
   */
  fullRepeats?: number;
  /** Needs a real PostgreSQL (DATABASE_URL); skipped with a line saying so otherwise. */
  needsPostgres?: boolean;
  run(ctx: CaseContext, size: number): Promise<Measurement>;
  /** Called once after all of a case's sizes (also when one failed): drops what `run` kept between repeats. */
  teardown?(): Promise<void>;
}

export interface CaseContext {
  /** DATABASE_URL, when set. */
  databaseUrl?: string;
  quick: boolean;
  log(line: string): void;
}

export interface Measurement {
  almanac: number;
  baseline: number;
  /** Further figures a target names (p99 ms, seconds, MB), each with its own limit. */
  checks?: Check[];
}

export interface Check {
  name: string;
  value: number;
  unit: string;
  /** Met when value ≤ max (or ≥ min); neither: a figure reported for reference. */
  max?: number;
  min?: number;
}
