import { closeSync, openSync, writeSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { ImportFormat, ImportSummary } from '../../events/import/run';
import type { RowProblem } from '../../events/import/rows';
import { AppError } from '../../errors';
import type { ContactImportRequest } from '../admin';
import { type CliIo, type Command, UsageError } from '../command';
import { adminFor, parseFlags } from '../project';

/** Plain progress lines (not a TTY): at most one per this many rows or milliseconds. */
const PROGRESS_ROWS = 10_000;
const PROGRESS_MS = 5_000;

/** `E-mail=email,Customer ID=id` → `{ 'E-mail': 'email', 'Customer ID': 'id' }`. */
export function parseMap(value: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of value.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.lastIndexOf('=');
    const from = pair.slice(0, eq).trim();
    const to = pair.slice(eq + 1).trim();
    if (eq <= 0 || !from || !to) throw new UsageError(`--map: expected header=field pairs separated by commas, got "${pair}"`);
    map[from] = to;
  }
  return map;
}

/** One CSV field of the errors file (quoted when it must be). */
const csvField = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function formatSummary(s: ImportSummary): string {
  return (
    `${s.dry_run ? 'dry run, nothing written: ' : ''}${s.rows} rows read\n` +
    `  contacts created: ${s.created}${s.dry_run ? ' (would be)' : ''}\n` +
    `  contacts updated: ${s.updated}${s.dry_run ? ' (would be)' : ''}\n` +
    `  duplicates collapsed: ${s.duplicates}\n` +
    `  errors: ${s.errors}\n` +
    `  without consent: ${s.without_consent}\n` +
    `  consent recorded: ${s.consent_recorded}${s.dry_run ? ' (would be)' : ''}\n` +
    (s.triggered ? `  contact.created events: ${s.triggered}\n` : '') +
    (s.merged ? `  contacts merged (one person, named by identifiers of both): ${s.merged}\n` : '') +
    (s.conflicts ? `  identifiers left with another contact (not merged): ${s.conflicts}\n` : '')
  );
}

/**
 * Progress on stderr, in two phases: reading and checking the file (by bytes read: rows are not
 * known before the end), then writing the contacts (by contact keys written, of how many).
 */
function progressReporter(io: CliIo, tty: boolean) {
  const started = Date.now();
  let writeStarted = 0;
  const eta = (secs: number, done: number, total: number) =>
    done > 0 ? `${Math.max(0, Math.round((secs * (total - done)) / done))}s` : '…';
  if (tty) {
    const bar = new cliProgress.SingleBar(
      { format: '{phase} [{bar}] {percentage}% | {count} | {rate}/s | ETA {left}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let phase: 'none' | 'read' | 'write' = 'none';
    return {
      progress: (p: { rows: number; bytes: number; totalBytes: number }) => {
        const secs = Math.max((Date.now() - started) / 1000, 0.001);
        if (phase === 'none') bar.start(Math.max(p.totalBytes, 1), 0, { phase: 'reading', count: '0 rows', rate: 0, left: '…' });
        phase = 'read';
        bar.update(p.bytes, { count: `${p.rows} rows`, rate: Math.round(p.rows / secs), left: eta(secs, p.bytes, p.totalBytes) });
      },
      write: (p: { written: number; of: number }) => {
        if (phase !== 'write') {
          if (phase === 'read') bar.stop();
          writeStarted = Date.now();
          bar.start(Math.max(p.of, 1), 0, { phase: 'writing', count: `0 of ${p.of} contacts`, rate: 0, left: '…' });
          phase = 'write';
        }
        const secs = Math.max((Date.now() - writeStarted) / 1000, 0.001);
        bar.update(p.written, {
          count: `${p.written} of ${p.of} contacts`,
          rate: Math.round(p.written / secs),
          left: eta(secs, p.written, p.of),
        });
      },
      stop: () => phase !== 'none' && bar.stop(),
    };
  }
  let last = 0;
  let lastAt = started;
  const due = (n: number) => {
    const now = Date.now();
    if (n - last < PROGRESS_ROWS && now - lastAt < PROGRESS_MS) return false;
    last = n;
    lastAt = now;
    return true;
  };
  return {
    progress: (p: { rows: number; bytes: number; totalBytes: number }) => {
      if (!due(p.rows)) return;
      const secs = (Date.now() - started) / 1000;
      const pct = p.totalBytes ? Math.floor((100 * p.bytes) / p.totalBytes) : 100;
      io.err(`almanac import: read ${p.rows} rows (${pct}%), ${Math.round(p.rows / Math.max(secs, 0.001))} rows/s\n`);
    },
    write: (p: { written: number; of: number }) => {
      if (writeStarted === 0) {
        writeStarted = Date.now();
        last = 0;
      }
      if (!due(p.written) && p.written < p.of) return;
      const secs = (Date.now() - writeStarted) / 1000;
      io.err(
        `almanac import: wrote ${p.written} of ${p.of} contacts (${Math.floor((100 * p.written) / Math.max(p.of, 1))}%), ${Math.round(p.written / Math.max(secs, 0.001))}/s, ETA ${eta(secs, p.written, p.of)}\n`,
      );
    },
    stop: () => {},
  };
}

export const importCommand: Command = {
  summary: 'import a contact list (CSV or NDJSON) in batches, with its consent evidence; errors to a report file',
  usage: `almanac import FILE [--map "header=field,…"] [--errors FILE] [--dry-run] [--trigger] [--json]

FILE is .csv (a header line naming the columns) or .ndjson (one JSON object per line). Columns
(matched in any case): id (external id), email, phone, identifiers (more names of the person, such
as shopify:SHOP:ID, separated by spaces or ;), timezone, locale, country_code / province / city
(guess the zone and locale not given); consent_email_marketing (true/false) with its evidence
consent_text, consent_text_version, consent_source, consent_at (ISO 8601) and optionally
consent_ip, consent_user_agent; every other column (first_name, last_name, …) becomes an attribute.
A marketing grant without all four evidence columns is not recorded: the contact is imported
without consent and counted. --map renames headers: --map "E-mail=email,Customer ID=id".

Rows that cannot be imported (a bad email, time zone, locale or consent_at, neither id nor email,
an unreadable line) are skipped and written to --errors (default FILE.errors.csv beside FILE) as
line,column,message; the import goes on. Rows of the same contact (same id, else same email)
collapse: later values win, an empty cell keeps the earlier one. Running the same file again
changes nothing.

--dry-run reads and checks everything and says what would be created or updated, writing nothing
(no errors file unless --errors is given: the first 20 problems go to stderr). Imported contacts
start no journey unless --trigger: then each contact the import creates gets a contact.created
event. Progress: on a terminal a bar while the file is read and checked, then one while the
contacts are written (of how many, with an ETA); else a line on stderr every 10 000 rows or 5 s.
Like plan and apply, through the running server (or ALMANAC_URL) when there is one: the file is
streamed to it, progress and problems streamed back; else on the configured database.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, {
      booleans: ['dry-run', 'trigger', 'json'],
      values: ['map', 'errors'],
    });
    const [file, extra] = positional;
    if (!file) throw new UsageError('name the file to import: almanac import contacts.csv');
    if (extra) throw new UsageError(`unexpected argument "${extra}"`);
    const path = resolve(io.cwd, file);
    const ext = extname(path).toLowerCase();
    const format: ImportFormat | undefined = ext === '.csv' ? 'csv' : ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : undefined;
    if (!format) throw new UsageError(`expected a .csv or .ndjson file, got "${file}"`);
    const map = typeof flags.map === 'string' ? parseMap(flags.map) : undefined;
    const dryRun = flags['dry-run'] === true;
    const errorsPath =
      typeof flags.errors === 'string' ? resolve(io.cwd, flags.errors) : dryRun ? undefined : path.replace(/\.[^./]+$/, '') + '.errors.csv';

    let fd: number | undefined;
    let shown = 0;
    const onProblem = (p: RowProblem) => {
      if (!errorsPath) {
        // A dry run without --errors writes no file: the first problems go to stderr.
        if (shown++ < 20) io.err(`line ${p.line}, ${p.column}: ${p.message}\n`);
        return;
      }
      if (fd === undefined) {
        try {
          fd = openSync(errorsPath, 'w');
        } catch (err) {
          throw new AppError('bad_request', `cannot write ${errorsPath}: ${(err as Error).message}`);
        }
        writeSync(fd, 'line,column,message\n');
      }
      writeSync(fd, `${p.line},${csvField(p.column)},${csvField(p.message)}\n`);
    };
    const reporter = progressReporter(io, Boolean(process.stderr.isTTY) && io.env.ALMANAC_PROGRESS !== 'plain');
    const request: ContactImportRequest = {
      path,
      format,
      dryRun,
      trigger: flags.trigger === true,
      onProblem,
      onProgress: reporter.progress,
      onWrite: reporter.write,
    };
    if (map) request.map = map;
    let summary: ImportSummary;
    try {
      summary = await adminFor(io, 'import').importContacts(request);
    } finally {
      reporter.stop();
      if (fd !== undefined) closeSync(fd);
    }
    // A run without problems leaves no stale errors file of an earlier run behind.
    if (fd === undefined && errorsPath && !dryRun) {
      fd = openSync(errorsPath, 'w');
      writeSync(fd, 'line,column,message\n');
      closeSync(fd);
    }
    if (flags.json) io.out(`${JSON.stringify({ ...summary, ...(errorsPath && { errors_file: errorsPath }) }, null, 2)}\n`);
    else io.out(formatSummary(summary) + (summary.errors && errorsPath ? `  errors written to ${errorsPath}\n` : ''));
    return 0;
  },
};
