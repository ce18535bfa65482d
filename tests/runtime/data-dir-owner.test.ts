import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitForStatus } from '../helpers/net';

// The embedded database has one owner. PGlite-specific by nature, so these run on every
// backend: each child is pointed at a temporary ALMANAC_DATA_DIR with DATABASE_URL unset.

const root = mkdtempSync(join(tmpdir(), 'almanac-owner-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { DATABASE_URL: _url, DATABASE_SCHEMA: _schema, ...inherited } = process.env;
const envFor = (dataDir: string, extra: Record<string, string> = {}) => ({
  ...inherited,
  ALMANAC_DATA_DIR: dataDir,
  HOST: '127.0.0.1',
  TICK_INTERVAL_SECONDS: '30',
  ...extra,
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(command, args, { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function almanac(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/almanac.js', ...args], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

const lockOf = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'almanac.lock'), 'utf8')) as { pid: number; owner: string };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number, output: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms\n--- output ---\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the embedded data directory has one owner', () => {
  it(
    'while `almanac serve` runs, plan/migrate/calendar and a second serve get one line and exit 1; SIGTERM frees it',
    { timeout: 300_000 },
    async () => {
      const dataDir = join(root, 'serve', 'db');
      const port = await freePort();
      const server = start(process.execPath, ['bin/almanac.js', 'serve'], envFor(dataDir, { PORT: String(port) }));
      try {
        await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200, 120_000);
        expect(lockOf(dataDir)).toEqual(expect.objectContaining({ pid: server.child.pid, owner: 'the Almanac server' }));
        const message = `${dataDir} is in use by the Almanac server (pid ${server.child.pid}) — stop it, or set DATABASE_URL to share a PostgreSQL`;

        const second = await freePort();
        // One after another: each is a whole CLI start-up, and the suite shares two cores.
        const results = [];
        results.push(await almanac(['plan'], envFor(dataDir)));
        results.push(await almanac(['migrate'], envFor(dataDir)));
        results.push(await almanac(['calendar', '--from', '2026-01-01', '--to', '2026-02-01'], envFor(dataDir)));
        results.push(await almanac(['serve'], envFor(dataDir, { PORT: String(second) })));
        for (const [i, name] of ['plan', 'migrate', 'calendar', 'serve'].entries()) {
          const r = results[i]!;
          expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 1, stderr: `almanac ${name}: ${message}\n` });
          expect(r.stderr).not.toContain('Aborted');
        }
        // The server was not disturbed.
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
        expect(lockOf(dataDir).pid).toBe(server.child.pid);

        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
        expect(existsSync(join(dataDir, 'almanac.lock'))).toBe(false);
        // …and the next owner gets it.
        const after = await almanac(['migrate'], envFor(dataDir));
        expect(after).toMatchObject({ code: 0 });
      } catch (err) {
        server.child.kill('SIGKILL');
        throw new Error(`${(err as Error).message}\n--- server output ---\n${server.output()}`);
      }
    },
  );

  it('a lock left by a killed server (SIGKILL: no exit handler) is taken over by the next process', { timeout: 240_000 }, async () => {
    const dataDir = join(root, 'stale', 'db');
    const worker = start(process.execPath, ['bin/almanac.js', 'worker'], envFor(dataDir));
    await until('the worker starts', () => worker.output().includes('scheduler started'), 120_000, worker.output);
    const { pid, owner } = lockOf(dataDir);
    expect({ pid, owner }).toEqual({ pid: worker.child.pid, owner: 'almanac worker' });
    worker.child.kill('SIGKILL');
    await worker.exited;
    expect(existsSync(join(dataDir, 'almanac.lock'))).toBe(true);
    expect(alive(pid)).toBe(false);

    const r = await almanac(['plan'], envFor(dataDir));
    expect(r.stderr).not.toContain('in use');
    expect(r.code).toBe(0);
    expect(existsSync(join(dataDir, 'almanac.lock'))).toBe(false);
  });

  it('a process that exits without closing releases the lock (exit handler)', { timeout: 60_000 }, async () => {
    const dataDir = join(root, 'exit', 'db');
    const script = [
      "import { existsSync } from 'node:fs';",
      "import { lockDataDir } from './src/storage/data-dir-lock.ts';",
      "lockDataDir(process.argv[1], 'a script');",
      "process.stdout.write(existsSync(process.argv[1] + '/almanac.lock') ? 'held' : 'missing');",
    ].join('\n');
    const child = start(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dataDir], inherited);
    expect(await child.exited).toBe(0);
    expect(child.output()).toBe('held');
    expect(existsSync(join(dataDir, 'almanac.lock'))).toBe(false);
  });

  it('`npx almanac worker` stops (and frees the directory) when npx gets SIGTERM', { timeout: 240_000 }, async () => {
    const dataDir = join(root, 'npx', 'db');
    const npx = start('npx', ['almanac', 'worker'], envFor(dataDir));
    try {
      await until('the worker starts', () => npx.output().includes('scheduler started'), 120_000, npx.output);
      const { pid } = lockOf(dataDir);
      expect(pid).not.toBe(npx.child.pid); // npx → sh -c → node: the node process is a grandchild
      npx.child.kill('SIGTERM');
      await npx.exited;
      await until('the orphaned worker stops', () => !alive(pid) && npx.output().includes('info stopped'), 30_000, npx.output);
      expect(npx.output()).toContain('info stopping {"signal":"parent exited"}');
      expect(existsSync(join(dataDir, 'almanac.lock'))).toBe(false);
    } catch (err) {
      npx.child.kill('SIGKILL');
      if (existsSync(join(dataDir, 'almanac.lock'))) {
        const { pid } = lockOf(dataDir);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      throw err;
    }
  });
});
