import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/runtime/cli';
import type { BenchCase } from '../lib/case';
import { freePort } from '../lib/http';

const seconds = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
};

/**
 * Case 11: `almanac validate` of the samples, against its work done bare — a node process that
 * reads and parses the same YAML files (so the difference is start-up overhead: loading our
 * code); `almanac simulate` of the abandoned-cart example, its overhead the command's wall time
 * less the same simulation run in this (warm) process; the server's time to ready on a warm
 * embedded data directory, and its idle resident memory. bin/almanac.js runs the CLI bundled
 * (bin/bundle.js); it is built before anything is timed.
 */
export const startup: BenchCase = {
  id: 'startup',
  title: 'CLI start-up (almanac validate, simulate) and server ready',
  baseline: 'node parsing the same YAML',
  unit: 's',
  better: 'lower',
  target: { ratio: 0, text: 'overhead < 1 s; ready < 3 s; idle RSS < 150 MB' },
  sizes: { quick: [1], full: [1] },
  async run(ctx) {
    const env = { ...process.env, TZ: 'UTC' };
    execFileSync(process.execPath, ['bin/almanac.js', '--version'], { env, stdio: 'ignore' }); // builds the bundle if src/ changed
    const validate = seconds(() => execFileSync(process.execPath, ['bin/almanac.js', 'validate'], { env, stdio: 'ignore' }));
    const files = readdirSync('campaigns').map((f) => join('campaigns', f));
    const bare = `const { parse } = require('yaml'); const fs = require('fs'); for (const f of ${JSON.stringify(files)}) parse(fs.readFileSync(f, 'utf8'));`;
    const baseline = seconds(() => execFileSync(process.execPath, ['-e', bare], { env, stdio: 'ignore' }));
    // One day of the example in bench:quick, its three days (as the README shows) in a full run.
    const argv = ['simulate', '--events', 'examples/abandoned-cart.ndjson', '--from', '2026-11-23T00:00:00Z'];
    argv.push('--to', ctx.quick ? '2026-11-24T00:00:00Z' : '2026-11-26T00:00:00Z');
    const simulateCli = seconds(() => execFileSync(process.execPath, ['bin/almanac.js', ...argv], { env, stdio: 'ignore' }));
    const io = { env: env as Record<string, string>, out: () => {}, err: () => {}, cwd: process.cwd() };
    await import('../../src/runtime/simulation'); // loaded before the clock starts: the in-process side is the work alone
    const t0 = performance.now();
    const code = await main(argv, io);
    if (code !== 0) throw new Error(`simulate in process exited ${code}`);
    const simulateWork = (performance.now() - t0) / 1000;
    const { ready, rss } = await serverReady();
    const onPostgres = ctx.databaseUrl ? await serverReady(ctx.databaseUrl) : undefined;
    return {
      almanac: validate,
      baseline,
      checks: [
        { name: 'validate overhead', value: validate - baseline, unit: 's', max: 1 },
        { name: 'simulate overhead', value: simulateCli - simulateWork, unit: 's', max: 1 },
        { name: 'simulate (its work, in process)', value: simulateWork, unit: 's' },
        { name: 'server ready (warm data dir)', value: ready, unit: 's', max: 3 },
        { name: 'idle RSS', value: rss, unit: 'MB', max: 150 },
        ...(onPostgres
          ? [
              { name: 'server ready (PostgreSQL)', value: onPostgres.ready, unit: 's', max: 3 },
              { name: 'idle RSS (PostgreSQL)', value: onPostgres.rss, unit: 'MB', max: 150 },
            ]
          : []),
      ],
    };
  },
};

/**
 * `almanac serve` on the embedded database (or on `databaseUrl`, in a schema of its own): started
 * once to warm the data dir (or to migrate the schema), then timed to /healthz; RSS after 2 s idle.
 */
async function serverReady(databaseUrl?: string): Promise<{ ready: number; rss: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'almanac-bench-start-'));
  const schema = 'bench_startup';
  try {
    await once(dir, databaseUrl, schema); // the first start creates the data directory (3–5 s) or migrates: not what is measured
    return await once(dir, databaseUrl, schema);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (databaseUrl) execFileSync('psql', [databaseUrl, '-qc', `drop schema if exists ${schema} cascade`], { stdio: 'ignore' });
  }
}

async function once(dir: string, databaseUrl: string | undefined, schema: string): Promise<{ ready: number; rss: number }> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TZ: 'UTC',
    ALMANAC_DATA_DIR: join(dir, 'db'),
    PORT: String(port),
  };
  delete env.DATABASE_URL;
  if (databaseUrl)
    Object.assign(env, { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, API_KEYS: 'bench-startup-key-0123456789abcdef' });
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/almanac.js', 'serve'], { env, stdio: 'ignore', detached: true });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`almanac serve exited with ${child.exitCode}`);
      if (
        await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (performance.now() - t0 > 60_000) throw new Error('almanac serve was not ready in 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const ready = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const rss = rssOfGroup(child.pid!);
    return { ready, rss };
  } finally {
    const gone = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await gone;
  }
}

/** Resident memory of a process and its children, in MB (from /proc). */
function rssOfGroup(pid: number): number {
  let kb = 0;
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgid !== pid) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kb / 1024;
}
