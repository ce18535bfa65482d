import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_FILE } from '../../src/runtime/announce';
import { freePort, waitForStatus } from '../helpers/net';

// The embedded database has one owner. PGlite-specific by nature, so these run on every
// backend: each child is pointed at a temporary ALMANAC_DATA_DIR with DATABASE_URL unset.

const root = mkdtempSync(join(tmpdir(), 'almanac-owner-'));
const INGEST_KEY = 'owner-test-ingest-key';
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
    'while `almanac serve` runs, plan/apply/calendar/preview go through it; migrate and a second serve get one line; SIGTERM frees it',
    { timeout: 300_000 },
    async () => {
      const dataDir = join(root, 'serve', 'db');
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const server = start(process.execPath, ['bin/almanac.js', 'serve'], envFor(dataDir, { PORT: String(port), API_KEYS: INGEST_KEY }));
      try {
        await waitForStatus(`${url}/healthz`, 200, 120_000);
        expect(lockOf(dataDir)).toEqual(expect.objectContaining({ pid: server.child.pid, owner: 'the Almanac server' }));
        // The server announces itself beside the lock: its pid, URL and a random token, readable by its user only.
        const announced = JSON.parse(readFileSync(join(dataDir, SERVER_FILE), 'utf8')) as { pid: number; url: string; token: string };
        expect(announced).toEqual({ pid: server.child.pid, url, token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
        expect(statSync(join(dataDir, SERVER_FILE)).mode & 0o777).toBe(0o600);
        const ingested = await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            id: 'k-9-started',
            type: 'checkout.started',
            contact: { id: 'c-42', email: 'grace@example.com', timezone: 'Europe/Warsaw' },
            properties: {
              checkout_id: 'k-9',
              url: 'https://shop.example/cart/k-9',
              total: 129,
              currency: 'EUR',
              items: [{ product_id: 'p1', title: 'Mug', quantity: 2, price: 64.5 }],
            },
          }),
        });
        expect(ingested.status).toBeLessThan(300);

        const note = (command: string) => `almanac ${command}: through the Almanac server at ${url}\n`;
        // One after another: each is a whole CLI start-up, and the suite shares two cores.
        const plan = await almanac(['plan'], envFor(dataDir));
        expect(plan).toEqual({
          code: 0,
          stdout: expect.stringContaining('No changes. The database matches the campaign files.\n'),
          stderr: note('plan'),
        });
        const apply = await almanac(['apply', '--json'], envFor(dataDir));
        expect({ ...apply, stdout: JSON.parse(apply.stdout) as unknown }).toEqual({
          code: 0,
          stdout: expect.objectContaining({ stored: [], retired: [] }),
          stderr: note('apply'),
        });
        const calendar = await almanac(
          ['calendar', '--from', '2026-12-21', '--to', '2026-12-27', '--now', '2026-11-23T10:00:00Z'],
          envFor(dataDir),
        );
        expect(calendar).toMatchObject({ code: 0, stderr: note('calendar') });
        expect(calendar.stdout).toContain('Calendar 2026-12-21 to 2026-12-27, times in Europe/Warsaw\n');
        expect(calendar.stdout).not.toContain('Note:'); // read from what the server applied, not from the files
        const preview = await almanac(['preview', 'abandoned-cart', '--contact', 'c-42'], envFor(dataDir));
        expect(preview).toMatchObject({ code: 0, stderr: note('preview') });
        expect(preview.stdout).toContain('Preview of abandoned-cart for c-42 <grace@example.com> (timezone Europe/Warsaw)\n');

        const message = `${dataDir} is in use by the Almanac server (pid ${server.child.pid}) — stop it, or set DATABASE_URL to share a PostgreSQL`;
        const second = await freePort();
        const results = [];
        results.push(await almanac(['migrate'], envFor(dataDir)));
        results.push(await almanac(['serve'], envFor(dataDir, { PORT: String(second) })));
        for (const [i, name] of ['migrate', 'serve'].entries()) {
          const r = results[i]!;
          expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 1, stderr: `almanac ${name}: ${message}\n` });
          expect(r.stderr).not.toContain('Aborted');
        }
        // The server was not disturbed, and the refused second serve left its announcement alone.
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        expect(lockOf(dataDir).pid).toBe(server.child.pid);
        expect(JSON.parse(readFileSync(join(dataDir, SERVER_FILE), 'utf8'))).toEqual(announced);

        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
        expect(existsSync(join(dataDir, 'almanac.lock'))).toBe(false);
        expect(existsSync(join(dataDir, SERVER_FILE))).toBe(false);
        // …and the next owner gets it; plan is local again (no note).
        const after = await almanac(['migrate'], envFor(dataDir));
        expect(after).toMatchObject({ code: 0 });
        const local = await almanac(['plan'], envFor(dataDir));
        expect(local).toEqual({ code: 0, stdout: plan.stdout, stderr: '' });
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
    // A worker serves no admin API: plan meets the lock, one line.
    const refused = await almanac(['plan'], envFor(dataDir));
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `almanac plan: ${dataDir} is in use by almanac worker (pid ${pid}) — stop it, or set DATABASE_URL to share a PostgreSQL\n`,
    });
    worker.child.kill('SIGKILL');
    await worker.exited;
    expect(existsSync(join(dataDir, 'almanac.lock'))).toBe(true);
    expect(alive(pid)).toBe(false);
    // A server file left by a crash (its pid is gone) is ignored, like the stale lock.
    writeFileSync(join(dataDir, SERVER_FILE), JSON.stringify({ pid, url: 'http://127.0.0.1:9', token: 'stale' }));

    const r = await almanac(['plan'], envFor(dataDir));
    expect(r.stderr).not.toContain('in use');
    expect(r.stderr).not.toContain('through the Almanac server');
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
