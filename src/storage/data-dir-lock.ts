import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors';

/** A held data-directory lock; `release()` is idempotent. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

interface Holder {
  pid: number;
  owner: string;
  token: string;
  since?: string;
}

/** Tokens of the locks this process holds, released on exit. */
const held = new Map<string, string>();
let exitHook = false;

/** A file younger than this with no readable holder is being written, not stale. */
const UNREADABLE_GRACE_MS = 5_000;

/**
 * The embedded database has one owner. PGlite is one in-process PostgreSQL with no lock of its
 * own: a second process opening the same data directory gets a second, unlocked writer and,
 * sooner or later, `RuntimeError: Aborted()`. So whoever opens a PGlite data directory first
 * takes `<dataDir>/almanac.lock`, created exclusively (`open(…, 'wx')`) and holding its pid,
 * what it is (`owner`, e.g. "the Almanac server") and a random token. Anyone else gets an
 * `AppError` (conflict) naming the holder, as one line. The lock goes on `release()` and on
 * process exit; a lock whose pid is no longer alive (`process.kill(pid, 0)` fails with ESRCH)
 * was left by a crash or a SIGKILL and is taken over — under a short `almanac.lock.takeover`
 * file, so two processes finding the same stale lock cannot both win it.
 */
export function lockDataDir(dataDir: string, owner: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'almanac.lock');
  const token = randomUUID();
  const content = `${JSON.stringify({ pid: process.pid, owner, token, since: new Date().toISOString() })}\n`;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      held.set(path, token);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const [p, t] of held) unlinkIfOurs(p, t);
        });
      }
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          held.delete(path);
          unlinkIfOurs(path, token);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(path);
    if (holder === 'gone') continue;
    if (holder !== 'unreadable' && isLive(holder, path)) {
      throw new AppError(
        'conflict',
        `${dataDir} is in use by ${holder.owner} (pid ${holder.pid}) — stop it, or set DATABASE_URL to share a PostgreSQL`,
        { details: { dataDir, pid: holder.pid, owner: holder.owner } },
      );
    }
    if (holder === 'unreadable' && !olderThan(path, UNREADABLE_GRACE_MS)) {
      if (attempt < 20) {
        sleep(50);
        continue;
      }
      throw new AppError(
        'conflict',
        `${dataDir} is in use by another process (${path}) — stop it, or set DATABASE_URL to share a PostgreSQL`,
      );
    }
    takeOver(path, holder === 'unreadable' ? undefined : holder.token);
  }
  throw new AppError('conflict', `could not lock ${dataDir}: ${path} keeps changing hands`);
}

/** Remove a stale lock, but only while holding the takeover file and only if it is still the one found stale. */
function takeOver(path: string, staleToken: string | undefined): void {
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Someone else is taking over; a takeover file left by a crash mid-takeover goes after a while.
    if (olderThan(guard, UNREADABLE_GRACE_MS)) unlinkQuietly(guard);
    else sleep(20);
    return;
  }
  try {
    const now = readHolder(path);
    if (now === 'gone') return;
    if (now === 'unreadable' ? staleToken === undefined : now.token === staleToken) unlinkQuietly(path);
  } finally {
    closeSync(fd);
    unlinkQuietly(guard);
  }
}

function readHolder(path: string): Holder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (typeof h.pid === 'number' && Number.isInteger(h.pid) && h.pid > 0 && typeof h.token === 'string') {
      return { pid: h.pid, owner: typeof h.owner === 'string' ? h.owner : 'another process', token: h.token };
    }
  } catch {
    // fall through
  }
  return 'unreadable';
}

/** Alive: the pid exists (EPERM: it exists, owned by another user). Our own pid counts only if this process holds the lock. */
function isLive(holder: Holder, path: string): boolean {
  if (holder.pid === process.pid) return held.get(path) === holder.token;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkIfOurs(path: string, token: string): void {
  const holder = readHolder(path);
  if (typeof holder === 'object' && holder.token === token) unlinkQuietly(path);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return true;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
