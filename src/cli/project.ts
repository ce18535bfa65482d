import { join, resolve } from 'node:path';
import { compileProject } from '../dsl/compile/index';
import { formatDiagnostic } from '../dsl/diagnostics';
import type { Project } from '../dsl/plan';
import { type Config, loadConfig } from '../config';
import type { Database } from '../storage/db';
import { type CliIo, UsageError } from './command';

/**
 * Compile the project rooted at `dir` (holding campaigns/ and templates/), printing warnings;
 * on errors print every one and return undefined (the caller exits 1, having changed nothing).
 */
export async function compileOrReport(dir: string | undefined, io: CliIo): Promise<Project | undefined> {
  const root = resolve(io.cwd, dir ?? '.');
  const result = await compileProject({
    campaignsDir: join(root, 'campaigns'),
    templatesDir: join(root, 'templates'),
    displayRoot: io.cwd,
  });
  for (const w of result.warnings) io.err(`${formatDiagnostic(w)}\n`);
  if (!result.ok) {
    for (const e of result.errors) io.err(`${formatDiagnostic(e)}\n`);
    io.err(`${result.errors.length} error(s): nothing was changed.\n`);
    return undefined;
  }
  return result.project;
}

/** Flags of the form `--name` / `--name value`; everything else is positional. */
export function parseFlags(args: string[], known: { booleans?: string[]; values?: string[] }) {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (known.booleans?.includes(name)) flags[name] = true;
    else if (known.values?.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    } else throw new UsageError(`unknown option --${name}`);
  }
  return { flags, positional };
}

/**
 * Load the configuration from `io.env` and run `fn` on the configured database (DATABASE_URL,
 * else the embedded PGlite), migrated unless AUTO_MIGRATE=false; it is always closed after.
 */
export async function withDatabase<T>(io: CliIo, fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  return io.engine.withDatabase(config, (database) => fn(database, config));
}

/**
 * `[dir] [--json]` of the project commands (plan, apply): parse, compile, and on compile errors
 * return undefined (they are printed; the command exits 1).
 */
export async function projectFromArgs(args: string[], io: CliIo): Promise<{ project: Project; json: boolean } | undefined> {
  const { flags, positional } = parseFlags(args, { booleans: ['json'] });
  if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
  const project = await compileOrReport(positional[0], io);
  return project ? { project, json: flags.json === true } : undefined;
}
