import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';

/**
 * How a running `almanac serve` on the embedded database announces itself in its data directory,
 * so the CLI's plan, apply, calendar and preview go through its admin API instead of stopping at
 * the data-directory lock (src/runtime/cli.ts `chooseAdmin`). Apart from serve.ts so that the CLI
 * reads it without loading the server.
 */

/** The embedded data directory the configuration opens, or undefined (PostgreSQL, or in memory). */
export function embeddedDataDir(config: Config): string | undefined {
  return config.database.kind === 'pglite' && config.database.dataDir !== 'memory' ? config.database.dataDir : undefined;
}

/** `<dataDir>/almanac-server.json`: where a running `almanac serve` says how to reach it. */
export const SERVER_FILE = 'almanac-server.json';

/** What the server file holds: the server's pid, its base URL, and the admin token it accepts besides ADMIN_API_KEYS. */
export interface AnnouncedServer {
  pid: number;
  url: string;
  token: string;
}

/**
 * Write `<dataDir>/almanac-server.json` (mode 0600: the token opens the admin API), atomically
 * (a temporary file renamed over it, so a reader never sees half of it). Returns the function
 * that removes it again; it is also removed on process exit. Either removes it only while it is
 * still this announcement (same token).
 */
export function announceServer(dataDir: string, server: AnnouncedServer): () => void {
  const path = join(dataDir, SERVER_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  unlinkQuietly(temporary);
  writeFileSync(temporary, `${JSON.stringify(server)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
  let withdrawn = false;
  const withdraw = () => {
    if (withdrawn) return;
    withdrawn = true;
    process.off('exit', withdraw);
    if (readServerFile(path)?.token === server.token) unlinkQuietly(path);
  };
  process.on('exit', withdraw);
  return withdraw;
}

/**
 * The server announced in `dataDir` while its process lives (`process.kill(pid, 0)`; EPERM: it
 * exists, owned by another user), else undefined: a file left by a crash or `kill -9` is ignored.
 */
export function announcedServer(dataDir: string): AnnouncedServer | undefined {
  const server = readServerFile(join(dataDir, SERVER_FILE));
  if (!server) return undefined;
  try {
    process.kill(server.pid, 0);
    return server;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? server : undefined;
  }
}

function readServerFile(path: string): AnnouncedServer | undefined {
  let value: Partial<AnnouncedServer>;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as Partial<AnnouncedServer>;
  } catch {
    return undefined; // absent, or not ours to read
  }
  const { pid, url, token } = value ?? {};
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof url !== 'string' || typeof token !== 'string')
    return undefined;
  return { pid, url, token };
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
