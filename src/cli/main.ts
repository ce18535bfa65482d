import { readFileSync } from 'node:fs';
import { isAppError } from '../errors';
import { type CliIo, type Command, UsageError } from './command';
import { applyCommand } from './commands/apply';
import { calendarCommand } from './commands/calendar';
import { contactCommand } from './commands/contact';
import { resumeCommand, statusCommand } from './commands/dispatch';
import { analyticsCommand } from './commands/analytics';
import { attributionCommand, linkCommand, reportCommand } from './commands/report';
import { importCommand } from './commands/import';
import { migrateCommand } from './commands/migrate';
import { planCommand } from './commands/plan';
import { previewCommand } from './commands/preview';
import { serveCommand, workerCommand } from './commands/serve';
import { schemaCommand } from './commands/schema';
import { simulateCommand } from './commands/simulate';
import { validateCommand } from './commands/validate';

/** Every `almanac` command. */
export const commands: Record<string, Command> = {
  validate: validateCommand,
  plan: planCommand,
  apply: applyCommand,
  preview: previewCommand,
  simulate: simulateCommand,
  calendar: calendarCommand,
  contact: contactCommand,
  import: importCommand,
  status: statusCommand,
  report: reportCommand,
  analytics: analyticsCommand,
  attribution: attributionCommand,
  link: linkCommand,
  resume: resumeCommand,
  schema: schemaCommand,
  migrate: migrateCommand,
  serve: serveCommand,
  worker: workerCommand,
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Almanac ${version()} — campaigns as files, journeys per contact.

Usage: almanac <command> [options]

Commands:
${lines.join('\n')}

Options:
  --help, -h     show help (also: almanac <command> --help)
  --version, -v  print the version

Exit codes: 0 ok, 1 validation or runtime error, 2 usage.
`;
}

/**
 * Run the CLI with `argv` (without node and script); resolves to the exit code. The runtime
 * (src/runtime/cli.ts) supplies `io`, with the engine the commands use.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${version()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`almanac: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`almanac ${name}: ${err.message}\n\nUsage: ${command.usage}\n`);
      return 2;
    }
    if (isAppError(err)) {
      io.err(`almanac ${name}: ${err.message}\n`);
      return 1;
    }
    io.err(`almanac ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
