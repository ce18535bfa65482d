// The CLI as plain JavaScript: src/runtime/cli.ts bundled by esbuild (packages stay external, the
// bundle is split at the CLI's lazy imports so `validate` does not load the server), built on the
// first run after any change under src/ and reused after that. Loading TypeScript through tsx's
// module hooks cost 1.5–3 s at every start; the bundle loads in a fraction of that.
//
// - Where: dist/cli-<stamp>/cli.js (two levels down, like src/<domain>/, so the sources' own
//   `new URL('../../migrations/', import.meta.url)` still finds the migrations), the stamp a hash of every src/ file's path, size and mtime,
//   so an edited, pulled or checked-out source tree builds afresh and a stale bundle never runs.
// - Concurrency: each process builds into a directory of its own and renames it into place; when
//   two race, the second rename fails and its copy is removed. Older stamps are removed once
//   they are an hour old (a process started from one has long imported what it needs).
// - Fallback: with ALMANAC_NO_BUNDLE=1, or when the bundle cannot be built (a read-only checkout,
//   esbuild missing), bin/almanac.js runs the sources through tsx as before: slower, same result.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const checkout = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The stamp of the source tree: a hash of every file under src/ (path, size, mtime). */
function sourceStamp(root) {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const s = statSync(path);
        hash.update(`${path}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(join(root, 'src'));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The URL of the bundled CLI module (`root`: the checkout, this file's by default), built now if
 * the sources changed; undefined to run the sources instead.
 */
export async function bundledCli({ root = checkout, env = process.env } = {}) {
  if (env.ALMANAC_NO_BUNDLE === '1') return undefined;
  try {
    const dist = join(root, 'dist');
    const stamp = sourceStamp(root);
    const entry = join(dist, `cli-${stamp}`, 'cli.js');
    if (!existsSync(entry)) await build(root, dist, stamp);
    return pathToFileURL(entry).href;
  } catch {
    return undefined;
  }
}

async function build(root, dist, stamp) {
  const dirOf = (s) => join(dist, `cli-${s}`);
  const { build: esbuild } = await import('esbuild');
  mkdirSync(dist, { recursive: true });
  const staging = `${dirOf(stamp)}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  await esbuild({
    entryPoints: { cli: join(root, 'src', 'runtime', 'cli.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: staging,
    outExtension: { '.js': '.js' },
    logLevel: 'silent',
  });
  try {
    renameSync(staging, dirOf(stamp));
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process put the same stamp in place first
  }
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(dist)) {
    const path = join(dist, name);
    if (name.startsWith('cli-') && name !== `cli-${stamp}` && statSync(path).mtimeMs < hourAgo)
      rmSync(path, { recursive: true, force: true });
  }
}
