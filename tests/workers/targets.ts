import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { freePort } from '../helpers/net';

/**
 * The dual-run HTTP suite's harness (docs/workers-spike.md, plan item 7): one interface over the
 * Node server (`almanac serve`) and the Worker under `wrangler dev` (workerd), each on a real
 * port, spoken to with plain fetch. The database is a fresh one on DATABASE_URL's server,
 * migrated and applied from Node with the CLI, as an operator does before `wrangler deploy`.
 */
export interface Target {
  name: 'node' | 'workerd';
  baseUrl: string;
  /** The settings both runtimes get (the suite signs links and webhooks with them). */
  settings: Settings;
  /** The database it serves (fresh, its own), for what no HTTP route shows: runs and sends. */
  database: FreshDatabase;
  /** One scheduler tick that starts after this call (see each target for how, and what `at` means). */
  scheduled(at?: Date): Promise<void>;
  stop(): Promise<void>;
}

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const execFileP = promisify(execFile);

export interface Settings {
  API_KEYS: string;
  SHOPIFY_WEBHOOK_SECRET: string;
  LINK_SIGNING_KEY: string;
  SUPPRESSION_KEY: string;
}
export const SETTINGS: Settings = {
  API_KEYS: 'wsuite-api-key-5d1c',
  SHOPIFY_WEBHOOK_SECRET: 'shpss_wsuite_0123456789abcdef',
  LINK_SIGNING_KEY: 'wsuite-link-signing-key-0123456789',
  SUPPRESSION_KEY: 'wsuite-suppression-key-0123456789',
};

export interface FreshDatabase {
  url: string;
  name: string;
  /** A postgres.js client on it, for what no HTTP route shows (runs, sends). */
  sql: postgres.Sql;
  drop(): Promise<void>;
}

/**
 * `CREATE DATABASE almanac_wsuite_<random>` on DATABASE_URL's server, then `almanac migrate` and
 * `almanac apply` (the repo's sample campaigns/ and templates/) into it from Node.
 */
export async function freshDatabase(serverUrl = process.env.DATABASE_URL!): Promise<FreshDatabase> {
  const name = `almanac_wsuite_${randomBytes(5).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const drop = async () => {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  };
  try {
    const env = { ...process.env, DATABASE_URL: url, TZ: 'UTC', LOG_LEVEL: 'warn' };
    for (const args of [['migrate'], ['apply']]) {
      await execFileP(process.execPath, ['bin/almanac.js', ...args], { cwd: REPO, env, timeout: 120_000 }).catch((err: unknown) => {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`almanac ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
      });
    }
  } catch (err) {
    await drop();
    throw err;
  }
  return { url, name, sql, drop };
}

/** Collects a child's output, and resolves once a line matching `ready` appears (or rejects with the output). */
function watch(child: ChildProcess, ready: RegExp | undefined, what: string, timeoutMs: number) {
  let output = '';
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const timer = setTimeout(
    () => settle?.reject(new Error(`${what} was not ready after ${timeoutMs} ms. Its output:\n${output}`)),
    timeoutMs,
  );
  timer.unref();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (ready?.test(output)) settle?.resolve();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.on('exit', (code, signal) =>
    settle?.reject(new Error(`${what} exited (${code ?? signal}) before it was ready. Its output:\n${output}`)),
  );
  child.on('error', (err) => settle?.reject(new Error(`${what} could not start: ${err.message}\n${output}`)));
  return {
    ready: done.finally(() => clearTimeout(timer)),
    output: () => output,
  };
}

/** Every group started here: if the test process ends without stop() (a crash, Ctrl-C), none outlives it. */
const groups = new Set<number>();
process.once('exit', () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});
function track(child: ChildProcess): ChildProcess {
  if (child.pid !== undefined) {
    const pid = child.pid;
    groups.add(pid);
    child.once('exit', () => groups.delete(pid));
  }
  return child;
}

/** SIGTERM the whole process group (wrangler → node → workerd, or tsx's children), SIGKILL after `graceMs`. */
async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // Grandchildren (workerd) may outlive the leader by a moment: make sure none is left.
  kill('SIGKILL');
}

async function waitForHealth(baseUrl: string, failed: Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let dead: Error | undefined;
  failed.catch((e: Error) => (dead = e));
  while (Date.now() < deadline) {
    if (dead) throw dead;
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`GET ${baseUrl}/healthz never answered 200 within ${timeoutMs} ms (last: ${last})`);
}

/** Reads `almanac_ticks_total` from the Node server's /metrics (its registry lives as long as the process). */
async function ticksRun(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const m = /^almanac_ticks_total(?:\{\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * The Node server: `node bin/almanac.js serve` with the shared settings, ticking every second.
 *
 * `scheduled()`: the CLI has no "run one tick at time T" command (`almanac worker` and `serve`
 * tick on an interval, at wall time), so the Node target does not trigger a tick: it waits until
 * the server's own loop has *finished two more ticks* (almanac_ticks_total on /metrics), which
 * guarantees one whole tick that started after the call. `at` cannot be honoured (wall time only):
 * the suite's cron case therefore uses event times in the past rather than a future tick time.
 */
export async function startNode(database: FreshDatabase, o: { timeoutMs?: number } = {}): Promise<Target> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'almanac-wsuite-node-'));
  const child = track(
    spawn(process.execPath, ['bin/almanac.js', 'serve'], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...SETTINGS,
        DATABASE_URL: database.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: baseUrl,
        TZ: 'UTC',
        TICK_INTERVAL_SECONDS: '1',
        TRACKING_FLUSH_MS: '0',
        LOG_LEVEL: 'warn',
        ALMANAC_DATA_DIR: join(dataDir, 'db'),
      },
    }),
  );
  const w = watch(child, undefined, 'almanac serve', o.timeoutMs ?? 60_000);
  try {
    await waitForHealth(baseUrl, w.ready, o.timeoutMs ?? 60_000);
  } catch (err) {
    await stopGroup(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\nalmanac serve output:\n${w.output()}`);
  }
  return {
    name: 'node',
    baseUrl,
    settings: SETTINGS,
    database,
    async scheduled() {
      const target = (await ticksRun(baseUrl)) + 2;
      const deadline = Date.now() + 30_000;
      while ((await ticksRun(baseUrl)) < target) {
        if (Date.now() > deadline) throw new Error(`the Node server ran no tick within 30 s. Its output:\n${w.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await stopGroup(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The Worker under `wrangler dev --local --test-scheduled` (workerd), settings as `--var`s.
 *
 * `scheduled()`: `GET /__scheduled?cron=*+*+*+*+*`; `scheduled(at)`: `GET /cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=<ms>`.
 * Found by experiment (wrangler 4.86.0): `/__scheduled?time=` does NOT set the time. That path
 * is wrangler's own middleware inside the bundle
 * (node_modules/wrangler/templates/middleware/middleware-scheduled.ts + loader-modules.ts),
 * which ignores `time` and builds the controller with `scheduledTime: Date.now()`: a checkout
 * 30 min old ticked with `time=now+2h` stayed asleep in `wait: 1h`, and the run's started_at was
 * wall time. Miniflare's own trigger, `/cdn-cgi/handler/scheduled` (entry.worker.js,
 * handleScheduled: `new Date(parseInt(time))`), does: the same checkout then started at now+2h
 * and queued its reminder in that one tick. It answers 200 "ok" once the handler settled;
 * callers still poll for the tick's effects (docs/workers-spike.md).
 */
export async function startWorkerd(database: FreshDatabase, o: { timeoutMs?: number } = {}): Promise<Target> {
  const w = await startWrangler(
    (baseUrl) => ({ ...SETTINGS, DATABASE_URL: database.url, PUBLIC_URL: baseUrl, LOG_LEVEL: 'warn' }),
    o.timeoutMs ?? 60_000,
  );
  try {
    await waitForHealth(w.baseUrl, new Promise(() => {}), 15_000);
  } catch (err) {
    await w.stop();
    throw new Error(`${(err as Error).message}\nwrangler dev output:\n${w.output()}`);
  }
  const baseUrl = w.baseUrl;
  return {
    name: 'workerd',
    baseUrl,
    settings: SETTINGS,
    database,
    async scheduled(at?: Date) {
      // Now: wrangler's own trigger, as `wrangler dev --test-scheduled` documents it. At a given
      // time: miniflare's, the only one that sets scheduledTime (see above).
      const path = at ? `/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${at.getTime()}` : '/__scheduled?cron=*+*+*+*+*';
      const res = await fetch(`${baseUrl}${path}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text}\nwrangler dev output:\n${w.output()}`);
    },
    stop: w.stop,
  };
}

/**
 * `wrangler dev --local` with the given bindings as `--var`s (a function of its base URL), ready
 * once it prints "Ready on": the Worker may still answer errors (a bad-bindings test wants that).
 */
export async function startWrangler(varsFor: (baseUrl: string) => Record<string, string>, timeoutMs = 60_000) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const persist = mkdtempSync(join(tmpdir(), 'almanac-wsuite-wrangler-'));
  const args = [
    'wrangler',
    'dev',
    '--local',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--test-scheduled',
    '--inspector-port',
    '0',
    '--persist-to',
    persist,
    ...Object.entries(varsFor(baseUrl)).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  const child = track(
    spawn('npx', args, {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', TZ: 'UTC' },
    }),
  );
  const w = watch(child, /Ready on/, 'wrangler dev', timeoutMs);
  const stop = async () => {
    await stopGroup(child);
    rmSync(persist, { recursive: true, force: true });
  };
  try {
    await w.ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, output: w.output, stop };
}
