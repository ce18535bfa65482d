import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_KEY_FILE } from '../../src/runtime/serve';
import { freePort } from '../helpers/net';

/**
 * Authoring issue, first run: `npm start` on the embedded database without API_KEYS prints the
 * pages a person opens with a key that works (generated once, kept in the data directory, the
 * same after a restart); with NODE_ENV=production no key is made and the pages stay closed.
 * Children on a temporary ALMANAC_DATA_DIR with DATABASE_URL unset, so on every backend.
 */
const root = mkdtempSync(join(tmpdir(), 'almanac-first-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const { DATABASE_URL: _url, DATABASE_SCHEMA: _schema, API_KEYS: _keys, NODE_ENV: _env, ...inherited } = process.env;

async function serveUntilBanner(dataDir: string, extra: Record<string, string> = {}) {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['bin/almanac.js', 'serve'], {
    cwd: process.cwd(),
    env: { ...inherited, ALMANAC_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), TICK_INTERVAL_SECONDS: '30', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/health +\S+\n/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no banner\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    child.kill('SIGTERM');
    return exited;
  };
  return { output: () => output, stop, base: `http://127.0.0.1:${port}` };
}

describe('first run of npm start on the embedded database', () => {
  it(
    'prints the calendar, contacts, reports, analytics and health with a local key that works, the same after a restart',
    { timeout: 180_000 },
    async () => {
      const dataDir = join(root, 'db');
      const first = await serveUntilBanner(dataDir);
      try {
        const out = first.output();
        const calendar = /calendar +(\S+)\n/.exec(out)?.[1];
        expect(calendar).toMatch(new RegExp(`^${first.base}/calendar\\?key=local-[A-Za-z0-9_-]{32}$`));
        for (const page of ['contacts', 'reports', 'analytics'])
          expect(out).toMatch(new RegExp(`${page} +${first.base}/${page}\\?key=local-`));
        expect(out).toContain(`health     ${first.base}/healthz`);
        expect(out).toContain(`generated for this data directory, in ${join(dataDir, LOCAL_KEY_FILE)}; set API_KEYS to use your own`);
        const page = await fetch(calendar!);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toContain('text/html');
        // A wrong key on a page is a page too (a person reads it), not JSON.
        for (const path of ['calendar', 'contacts', 'reports', 'analytics']) {
          const wrong = await fetch(`${first.base}/${path}?key=wrong`, { headers: { accept: 'text/html' } });
          expect([path, wrong.status, wrong.headers.get('content-type')]).toEqual([path, 401, expect.stringContaining('text/html')]);
        }
        expect(statSync(join(dataDir, LOCAL_KEY_FILE)).mode & 0o777).toBe(0o600);
      } finally {
        expect(await first.stop()).toBe(0);
      }
      const key = readFileSync(join(dataDir, LOCAL_KEY_FILE), 'utf8').trim();
      const again = await serveUntilBanner(dataDir);
      try {
        expect(again.output()).toContain(`?key=${key}`);
        expect((await fetch(`${again.base}/contacts?key=${key}`)).status).toBe(200);
      } finally {
        await again.stop();
      }
    },
  );

  it('makes no key in production: the banner says to use API_KEYS and the pages stay closed', { timeout: 120_000 }, async () => {
    const dataDir = join(root, 'prod');
    const run = await serveUntilBanner(dataDir, { NODE_ENV: 'production' });
    try {
      expect(run.output()).toContain(`calendar   ${run.base}/calendar?key=<one of API_KEYS>`);
      expect((await fetch(`${run.base}/calendar`)).status).toBe(401);
      expect(() => statSync(join(dataDir, LOCAL_KEY_FILE))).toThrow();
    } finally {
      await run.stop();
    }
  });
});
