/**
 * The benchmarks: every case Almanac against its baseline, back to back, each `repeats` times,
 * medians and spreads into bench/results.json and the table of bench/README.md.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench          (full sizes)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:quick    (small sizes, a smoke test)
 *   … -- --only render,click  --repeats 5  --size 20000  --out /tmp/results.json
 *
 * bench:quick writes bench/results.quick.json and leaves README alone: the committed figures are a
 * full run's. Nothing here asserts a time; a case that cannot run fails the command.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BenchCase } from './lib/case';
import { machine, table } from './lib/report';
import { runCases } from './lib/runner';
import { analytics } from './cases/analytics';
import { backlog } from './cases/backlog';
import { batch } from './cases/batch';
import { click } from './cases/click';
import { dispatch } from './cases/dispatch';
import { fanout } from './cases/fanout';
import { ingest } from './cases/ingest';
import { render } from './cases/render';
import { report } from './cases/report';
import { scheduler } from './cases/scheduler';
import { startup } from './cases/startup';

const ALL: BenchCase[] = [ingest, batch, scheduler, backlog, fanout, dispatch, render, click, report, analytics, startup];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    repeats: { type: 'string' },
    size: { type: 'string' },
    out: { type: 'string' },
  },
});
const quick = values.quick!;
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((id) => !ALL.some((c) => c.id === id)) ?? [];
if (unknown.length) {
  console.error(`bench: unknown case(s) ${unknown.join(', ')}; the cases are ${ALL.map((c) => c.id).join(', ')}`);
  process.exit(2);
}
const picked = only ? ALL.filter((c) => only.includes(c.id)) : ALL;
// --size N: every picked case at that one size (profiling, growth checks by hand).
const cases = values.size ? picked.map((c) => ({ ...c, sizes: { quick: [Number(values.size)], full: [Number(values.size)] } })) : picked;
const repeats = values.repeats === undefined ? undefined : Number(values.repeats);
const databaseUrl = process.env.DATABASE_URL;

const results = await runCases(cases, { ...(databaseUrl ? { databaseUrl } : {}), quick, log: (l) => console.log(l) }, repeats);
const meta = {
  when: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  mode: quick ? 'bench:quick' : 'bench',
  machine: machine(databaseUrl),
};
const out = values.out ?? (quick ? 'bench/results.quick.json' : 'bench/results.json');
writeFileSync(out, `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
console.log(`\n${table(results, meta)}\n\nwrote ${out}`);
if (!quick && !only && !values.size) {
  const readme = readFileSync('bench/README.md', 'utf8');
  const marked = /<!-- results -->[\s\S]*<!-- \/results -->/;
  if (!marked.test(readme)) throw new Error('bench/README.md has no <!-- results --> … <!-- /results --> block');
  writeFileSync('bench/README.md', readme.replace(marked, `<!-- results -->\n${table(results, meta)}\n<!-- /results -->`));
  console.log('updated the table in bench/README.md');
}
