import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from '../lib/case';
import { freePort } from '../lib/http';

const seconds = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
};

/**
 * Case 11: `almanac validate` of the samples, against its work done bare — a node process that
 * reads and parses the same YAML files (so the difference is start-up overhead: loading and
 * compiling our code); the server's time to ready on a warm embedded data directory, and its
 * idle resident memory.
 */
export const startup: BenchCase = {
  id: 'startup',
  title: 'CLI start-up (almanac validate) and server ready',
  baseline: 'node parsing the same YAML',
  unit: 's',
  better: 'lower',
  target: { ratio: 0, text: 'overhead < 1 s; ready < 3 s; idle RSS < 150 MB' },
  sizes: { quick: [1], full: [1] },
  async run() {
    const env = { ...process.env, TZ: 'UTC' };
    const validate = seconds(() => execFileSync(process.execPath, ['bin/almanac.js', 'validate'], { env, stdio: 'ignore' }));
    const files = readdirSync('campaigns').map((f) => join('campaigns', f));
    const bare = `const { parse } = require('yaml'); const fs = require('fs'); for (const f of ${JSON.stringify(files)}) parse(fs.readFileSync(f, 'utf8'));`;
    const baseline = seconds(() => execFileSync(process.execPath, ['-e', bare], { env, stdio: 'ignore' }));
    const { ready, rss } = await serverReady();
    return {
      almanac: validate,
      baseline,
      checks: [
        { name: 'validate overhead', value: validate - baseline, unit: 's', max: 1 },
        { name: 'server ready (warm data dir)', value: ready, unit: 's', max: 3 },
        { name: 'idle RSS', value: rss, unit: 'MB', max: 150 },
      ],
    };
  },
};

/** `almanac serve` on the embedded database: started once to warm the data dir, then timed to /healthz; RSS after 2 s idle. */
async function serverReady(): Promise<{ ready: number; rss: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'almanac-bench-start-'));
  try {
    await once(dir); // the first start creates the data directory (3–5 s): not what is measured
    return await once(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function once(dir: string): Promise<{ ready: number; rss: number }> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TZ: 'UTC',
    ALMANAC_DATA_DIR: join(dir, 'db'),
    PORT: String(port),
  };
  delete env.DATABASE_URL;
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
