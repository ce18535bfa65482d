import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { Result, Skipped } from './runner';

/** The machine the figures come from, as bench/README.md states it. */
export function machine(databaseUrl: string | undefined) {
  let postgres = 'not used';
  if (databaseUrl) {
    try {
      postgres = execFileSync('psql', [databaseUrl, '-Atc', 'show server_version'], { encoding: 'utf8' }).trim();
    } catch {
      postgres = 'unknown';
    }
  }
  return {
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres,
  };
}

const fmt = (x: number) =>
  x !== 0 && Math.abs(x) < 1
    ? x.toLocaleString('en', { maximumSignificantDigits: 3 })
    : x.toLocaleString('en', { maximumFractionDigits: 2 });

/** The results table of bench/README.md (between its markers). */
export function table(results: Array<Result | Skipped>, meta: { when: string; mode: string; machine: ReturnType<typeof machine> }): string {
  const m = meta.machine;
  const lines = [
    `Measured ${meta.when} (${meta.mode}) on ${m.cpus}, ${m.memoryGiB} GiB, Node ${m.node}, PostgreSQL ${m.postgres}.`,
    '',
    '| case | size | baseline | baseline median | Almanac median (spread) | unit | ratio | target | other targets | met |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    if ('skipped' in r) {
      lines.push(`| ${r.title} | — | — | — | — | — | — | — | — | skipped: ${r.skipped} |`);
      continue;
    }
    const bound = (k: (typeof r.checks)[number]) =>
      k.max !== undefined
        ? ` (≤ ${fmt(k.max)}) ${k.met ? '✓' : '✗'}`
        : k.min !== undefined
          ? ` (≥ ${fmt(k.min)}) ${k.met ? '✓' : '✗'}`
          : '';
    const others = r.checks.map((k) => `${k.name} ${fmt(k.value)} ${k.unit}${bound(k)}`);
    // A case with no ratio to reach and no bounded check only reports its figures: neither ✓ nor ✗.
    const reported = r.targetRatio === 0 && r.checks.every((k) => k.max === undefined && k.min === undefined);
    lines.push(
      `| ${r.title} | ${fmt(r.size)} | ${r.baselineIs} | ${fmt(r.baseline.median)} | ${fmt(r.almanac.median)} (±${Math.round(r.almanac.spread * 100)} %) | ${r.unit} | ${r.ratio}× | ${r.target} | ${others.join('; ') || '—'} | ${reported ? '—' : r.met ? '✓' : '✗'} |`,
    );
  }
  return lines.join('\n');
}
