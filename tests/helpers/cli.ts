import { createLocalAdmin } from '../../src/cli/admin-local';
import type { CliEngine } from '../../src/cli/command';
import { createCliEngine, main } from '../../src/runtime/cli';
import type { Database } from '../../src/storage/db';

/**
 * `almanac ARGS` in this process, as `main` from src/runtime/cli runs it: `local` on the test
 * database through the local admin adapter, or `remote` through a running server (ALMANAC_URL and
 * an admin key) — what tests compare to prove both ways print the same.
 */
export async function almanacCli(
  args: string[],
  how: { local: Database; env?: Record<string, string> } | { remote: { base: string; key: string } },
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const engine: CliEngine | undefined =
    'local' in how ? { ...createCliEngine(), admin: (config) => createLocalAdmin(config, (_config, fn) => fn(how.local)) } : undefined;
  const code = await main(args, {
    env: 'remote' in how ? { ALMANAC_URL: how.remote.base, ALMANAC_API_KEY: how.remote.key } : (how.env ?? {}),
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    cwd: process.cwd(),
    ...(engine ? { engine } : {}),
  });
  return { code, out: out.join(''), err: err.join('') };
}
