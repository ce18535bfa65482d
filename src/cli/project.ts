import { linkAllowedHostsOf, webhookRulesOf } from '../config';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compileProject } from '../dsl/compile/index';
import { formatDiagnostic } from '../dsl/diagnostics';
import type { Project } from '../dsl/plan';
import { loadConfig } from '../config';
import type { AdminApi, ProjectSources } from './admin';
import { type CliIo, UsageError } from './command';

/**
 * The project root a command names: `dir` (default the current directory) holding campaigns/ and
 * templates/ — or the campaigns folder itself (`almanac validate campaigns/`): a folder without a
 * campaigns/ folder of its own but with .yaml files in it is read as the campaigns folder of its
 * parent.
 */
export function projectRoot(cwd: string, dir: string | undefined): string {
  const root = resolve(cwd, dir ?? '.');
  if (existsSync(join(root, 'campaigns'))) return root;
  try {
    if (readdirSync(root).some((f) => f.endsWith('.yaml') || f.endsWith('.yml'))) return dirname(root);
  } catch {
    // not a folder: the compiler says so
  }
  return root;
}

/**
 * Compile the project rooted at `dir` (holding campaigns/ and templates/), printing warnings;
 * on errors print every one (file:line:col, templates too) and return undefined (the caller
 * exits 1, having changed nothing and sent nothing). Also gives back the sources it compiled:
 * what the admin API (./admin.ts) is sent, to be compiled again where the database is.
 */
export async function compileOrReport(
  dir: string | undefined,
  io: CliIo,
): Promise<{ project: Project; sources: ProjectSources; root: string } | undefined> {
  const root = projectRoot(io.cwd, dir);
  const result = await compileProject({
    campaignsDir: join(root, 'campaigns'),
    templatesDir: join(root, 'templates'),
    displayRoot: io.cwd,
    allowedHosts: linkAllowedHostsOf(io.env),
    webhooks: webhookRulesOf(io.env),
  });
  for (const w of result.warnings) io.err(`${formatDiagnostic(w)}\n`);
  if (!result.ok) {
    for (const e of result.errors) io.err(`${formatDiagnostic(e)}\n`);
    io.err(`${result.errors.length} error(s): nothing was changed.\n`);
    return undefined;
  }
  return { project: result.project, sources: result.sources, root };
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
 * The admin API for `command` (plan, apply, calendar, preview): a running server's, or this
 * process's database (the engine decides: src/runtime/cli.ts). When it went through a server it
 * says so in one note line on stderr, once the server answered (a failure stays one line); stdout
 * is the same either way.
 */
export function adminFor(io: CliIo, command: string): AdminApi {
  const admin = io.engine.admin(loadConfig(io.env), io.env);
  if (!admin.via) return admin;
  let noted = false;
  const noting =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await call(...args);
      if (!noted) io.err(`almanac ${command}: through the Almanac server at ${admin.via}\n`);
      noted = true;
      return result;
    };
  return {
    via: admin.via,
    plan: noting(admin.plan),
    apply: noting(admin.apply),
    calendar: noting(admin.calendar),
    previewSubject: noting(admin.previewSubject),
    exportContact: noting(admin.exportContact),
    contactTimeline: noting(admin.contactTimeline),
    eraseContact: noting(admin.eraseContact),
    unmerge: noting(admin.unmerge),
    status: noting(admin.status),
    resume: noting(admin.resume),
    report: noting(admin.report),
    analytics: noting(admin.analytics),
    recomputeAttribution: noting(admin.recomputeAttribution),
    createLink: noting(admin.createLink),
    importContacts: noting(admin.importContacts),
  };
}

/**
 * `[dir] [--json]` of the project commands (plan, apply): parse, compile, and on compile errors
 * return undefined (they are printed; the command exits 1).
 */
export async function projectFromArgs(
  args: string[],
  io: CliIo,
): Promise<{ project: Project; sources: ProjectSources; json: boolean } | undefined> {
  const { flags, positional } = parseFlags(args, { booleans: ['json'] });
  if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
  const compiled = await compileOrReport(positional[0], io);
  return compiled ? { ...compiled, json: flags.json === true } : undefined;
}
