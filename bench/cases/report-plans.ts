import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from '../../src/storage/db';
import { campaignCounts, holdoutArms } from '../../src/storage/reports';
import { rowsOf } from '../../src/storage/sql-values';

/**
 * Each statement of the report's counts and holdout arms (recorded as the report runs them: a
 * transaction whose `execute` keeps every query) and the naive query, under
 * `explain (analyze, buffers)` as the report's transaction runs them (no JIT, 64MB work_mem), into
 * $TMPDIR/bench-report-plans.txt. Returns one line: the file, the sum and the slowest statements.
 * Opt-in (BENCH_PLANS=1): it runs every statement once more.
 */
export async function writePlans(database: Database, campaign: string, holdout: boolean, naive: string): Promise<string> {
  const recorded: SQL[] = [];
  await database.db.transaction(async (tx) => {
    const recorder = new Proxy(tx, {
      get: (target, prop, receiver) =>
        prop === 'execute'
          ? (q: SQL) => {
              recorded.push(q);
              return target.execute(q);
            }
          : Reflect.get(target, prop, receiver),
    });
    await campaignCounts(recorder, campaign);
    if (holdout) await holdoutArms(recorder, campaign, [{ currency: 'EUR', rate: 1 }], 2);
  });
  const dialect = new PgDialect();
  const statements = recorded
    .filter((q) => !/^\s*set local/.test(dialect.sqlToQuery(q).sql))
    .map((q, i): [string, SQL] => {
      const tables = [...new Set([...dialect.sqlToQuery(q).sql.matchAll(/\b(?:from|join)\s+"?([a-z_]+)"?/g)].map((m) => m[1]))];
      return [`${i + 1}. ${tables.join(' + ')}`, q];
    });
  statements.push(['naive LATERAL last-click', sql.raw(naive)]);
  const plans: string[] = [];
  const times: Array<{ label: string; ms: number }> = [];
  for (const [label, q] of statements) {
    const lines = await database.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local jit = off`));
      await tx.execute(sql.raw(`set local work_mem = '64MB'`));
      return rowsOf<Record<string, string>>(await tx.execute(sql`explain (analyze, buffers) ${q}`)).map((r) => Object.values(r)[0]!);
    });
    const { sql: text, params } = dialect.sqlToQuery(q);
    plans.push(`=== ${label}\n${text.trim()}\nparams: ${JSON.stringify(params)}\n\n${lines.join('\n')}\n`);
    times.push({ label, ms: Number(/Execution Time: ([\d.]+) ms/.exec(lines.join('\n'))?.[1] ?? NaN) });
  }
  const file = join(tmpdir(), 'bench-report-plans.txt');
  writeFileSync(file, plans.join('\n'));
  const report = times.slice(0, -1);
  const sum = report.reduce((n, r) => n + r.ms, 0);
  const slowest = [...report].sort((a, b) => b.ms - a.ms).slice(0, 3);
  return `${file}: ${report.length} statements, ${sum.toFixed(0)} ms in all (slowest ${slowest.map((r) => `${r.label} ${r.ms.toFixed(0)} ms`).join('; ')}); naive ${times.at(-1)!.ms.toFixed(0)} ms`;
}
