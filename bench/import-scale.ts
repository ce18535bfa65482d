/**
 * Contact import at scale: `importContacts` (what `almanac import` and the import routes run) of
 * an N-row CSV (default 1 000 000; 1 % bad rows, 1 % duplicates; id, email, phone, name, zone and
 * an evidenced consent on every tenth row) into an empty base, then the same file again (an
 * update of everyone, nothing new), against a baseline run beside it on the same rows: a bare
 * batched insert of the contacts (the least any loader does: parse, one statement per batch).
 * The ratio is the figure to watch; absolute seconds depend on the machine.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:import [-- 200000]
 *   npm run bench:import -- 100000          (PGlite, in memory)
 *
 * Uses a schema of its own (bench_import) and drops it at the end.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { importContacts } from '../src/events/import/run';
import { openDb } from '../src/storage/open';
import { defaultMigrationsDir, loadMigrations, migrate } from '../src/storage/migrate';
import { time } from './support';

const url = process.env.DATABASE_URL;
const n = Number(process.argv[2] ?? 1_000_000);
/** BENCH_BATCH: rows per transaction (default: the import's own). */
const batchSize = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined;
const schema = 'bench_import';
const now = new Date('2026-12-01T12:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'almanac-bench-import-'));
const file = join(dir, 'contacts.csv');

const lines = ['id,email,phone,first_name,timezone,consent_email_marketing,consent_text,consent_text_version,consent_source,consent_at'];
for (let i = 0; i < n; i++) {
  const k = i % 100 === 99 ? i - 1 : i; // 1 % duplicates of the row before
  if (i % 100 === 50) lines.push(`b-${i},not-an-email,,Bad,,,,,,`);
  else
    lines.push(
      `c-${k},c${k}@example.com,+4860${String(k).padStart(7, '0')},N${k},Europe/Warsaw,` +
        (k % 10 === 0 ? 'true,Send me news,v1,checkout,2026-04-01T09:00:00Z' : ',,,,'),
    );
}
writeFileSync(file, `${lines.join('\n')}\n`);
const database = url
  ? await openDb({ kind: 'postgres', url, schema, poolMax: 2 })
  : await openDb({ kind: 'pglite', dataDir: 'memory', schema });
console.log(`${url ? 'PostgreSQL' : 'PGlite'}, ${n.toLocaleString('en')} rows (${(lines.join('\n').length / 1e6).toFixed(0)} MB)`);
try {
  await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
  await migrate(database, loadMigrations(defaultMigrationsDir));
  const read = () => createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const first = await time('import into an empty base', () =>
    importContacts(database, read(), { format: 'csv', now, ...(batchSize && { batchSize }) }),
  );
  console.log(`  ${JSON.stringify(first.out)}`);
  const again = await time('the same file again', () =>
    importContacts(database, read(), { format: 'csv', now, ...(batchSize && { batchSize }) }),
  );
  console.log(`  ${JSON.stringify(again.out)}`);
  await database.db.execute(sql`create table baseline_contacts (like contacts including all)`);
  const baseline = await time('baseline: bare batched insert of the rows', async () => {
    for (let start = 1; start < lines.length; start += 250) {
      const batch = lines.slice(start, start + 250).map((l, k) => {
        const [, email, , name] = l.split(',');
        return { external_id: `row-${start + k}`, email: null, attributes: { first_name: name, email } };
      });
      await database.db.execute(sql`
        insert into baseline_contacts (external_id, email, attributes)
        select external_id, email, attributes from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as i(external_id text, email text, attributes jsonb)`);
    }
  });
  console.log(`import / baseline: ${(first.s / baseline.s).toFixed(1)}×, again / baseline: ${(again.s / baseline.s).toFixed(1)}×`);
  console.log(
    `rate: ${Math.round(n / first.s).toLocaleString('en')} rows/s first, ${Math.round(n / again.s).toLocaleString('en')} rows/s again`,
  );
} finally {
  if (!process.env.BENCH_KEEP) await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
