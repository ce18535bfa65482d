import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { lockDataDir } from '../../src/storage/data-dir-lock';
import { openDb } from '../../src/storage/open';

// PGlite-specific by nature (the lock guards an embedded data directory), so these run on
// every backend: they never touch the suite's database.

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'almanac-lock-'));
  dirs.push(dir);
  return join(dir, 'db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const lockFile = (dataDir: string) => join(dataDir, 'almanac.lock');
const holder = (dataDir: string) => JSON.parse(readFileSync(lockFile(dataDir), 'utf8')) as { pid: number; owner: string };

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

function conflict(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a conflict');
}

describe('lockDataDir', () => {
  it('creates <dataDir>/almanac.lock with the pid and owner; a second locker is refused in one line; release frees it', () => {
    const dataDir = scratch();
    const lock = lockDataDir(dataDir, 'the Almanac server');
    expect(holder(dataDir)).toMatchObject({ pid: process.pid, owner: 'the Almanac server' });

    const err = conflict(() => lockDataDir(dataDir, 'almanac plan'));
    expect(err.code).toBe('conflict');
    expect(err.message).toBe(
      `${dataDir} is in use by the Almanac server (pid ${process.pid}) — stop it, or set DATABASE_URL to share a PostgreSQL`,
    );
    expect(err.message).not.toContain('\n');

    lock.release();
    expect(existsSync(lockFile(dataDir))).toBe(false);
    lock.release(); // idempotent
    const again = lockDataDir(dataDir, 'almanac plan');
    expect(holder(dataDir).owner).toBe('almanac plan');
    again.release();
  });

  it('takes over a stale lock whose pid is no longer alive', () => {
    const dataDir = scratch();
    mkdirSync(dataDir, { recursive: true });
    const pid = deadPid();
    writeFileSync(lockFile(dataDir), JSON.stringify({ pid, owner: 'the Almanac server', token: 'crashed' }));
    const lock = lockDataDir(dataDir, 'almanac migrate');
    expect(holder(dataDir)).toMatchObject({ pid: process.pid, owner: 'almanac migrate' });
    expect(existsSync(`${lockFile(dataDir)}.takeover`)).toBe(false);
    lock.release();
    expect(existsSync(lockFile(dataDir))).toBe(false);
  });

  it('takes over a lock carrying our own pid that this process does not hold (a restarted container is pid 1 again)', () => {
    const dataDir = scratch();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(lockFile(dataDir), JSON.stringify({ pid: process.pid, owner: 'the Almanac server', token: 'previous-life' }));
    const lock = lockDataDir(dataDir, 'almanac worker');
    expect(holder(dataDir).owner).toBe('almanac worker');
    lock.release();
  });

  it('takes over an unreadable lock file once it is old, and waits out a fresh one', () => {
    const dataDir = scratch();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(lockFile(dataDir), '');
    const err = conflict(() => lockDataDir(dataDir, 'almanac plan'));
    expect(err.message).toContain('is in use by another process');

    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFile(dataDir), old, old);
    const lock = lockDataDir(dataDir, 'almanac plan');
    expect(holder(dataDir).pid).toBe(process.pid);
    lock.release();
  });

  it('never removes a lock it no longer owns', () => {
    const dataDir = scratch();
    const lock = lockDataDir(dataDir, 'almanac plan');
    // Someone wrongly replaced it (a manual edit, a takeover gone wrong): release leaves theirs.
    writeFileSync(lockFile(dataDir), JSON.stringify({ pid: process.pid, owner: 'someone else', token: 'theirs' }));
    lock.release();
    expect(holder(dataDir).owner).toBe('someone else');
  });
});

describe('openDb on a PGlite data directory', () => {
  it('holds the lock while open, refuses a second open with an AppError, and releases it on close', { timeout: 180_000 }, async () => {
    const dataDir = scratch();
    const first = await openDb({ kind: 'pglite', dataDir, schema: 'public' }, { owner: 'the Almanac server' });
    try {
      expect(holder(dataDir)).toMatchObject({ pid: process.pid, owner: 'the Almanac server' });
      await expect(openDb({ kind: 'pglite', dataDir, schema: 'public' })).rejects.toMatchObject({
        name: 'AppError',
        code: 'conflict',
        message: `${dataDir} is in use by the Almanac server (pid ${process.pid}) — stop it, or set DATABASE_URL to share a PostgreSQL`,
      });
      await first.ping();
    } finally {
      await first.close();
    }
    expect(existsSync(lockFile(dataDir))).toBe(false);
    const second = await openDb({ kind: 'pglite', dataDir, schema: 'public' });
    expect(holder(dataDir).owner).toBe('another Almanac process');
    await second.close();
    expect(existsSync(lockFile(dataDir))).toBe(false);
  });
});
