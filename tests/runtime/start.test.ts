import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backend, dropSchema, newSchemaName } from '../helpers/db';
import { freePort, waitForStatus } from '../helpers/net';

describe('npm start', () => {
  it('serves /healthz, then exits 0 on SIGTERM', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'almanac-start-'));
    const schema = newSchemaName('npm_start');
    const child = spawn('npm', ['start'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        ALMANAC_DATA_DIR: join(dataDir, 'db'),
        ...(backend === 'postgres' ? { DATABASE_SCHEMA: schema } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const res = await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200, 60_000);
      expect(await res.json()).toEqual({ status: 'ok', database: backend });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('info stopped');
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n--- server output ---\n${output}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    }
  });
});
