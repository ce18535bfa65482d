import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { AppError } from '../../errors';
import { formatHtml } from '../../simulate/format/html';
import { formatMarkdown } from '../../simulate/format/markdown';
import { formatText } from '../../simulate/format/text';
import type { SimulationInput } from '../../simulate/input';
import { parseNdjson } from '../../simulate/input';
import { formatJson, type SimulationReport, simulationReport } from '../../simulate/report';
import { type Command, UsageError } from '../command';
import { compileOrReport, parseFlags } from '../project';

const parseTime = (flag: string, value: string | true | undefined): Date => {
  if (typeof value !== 'string') throw new UsageError(`--${flag} is required (an ISO time such as 2026-11-23T00:00:00Z)`);
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length <= 10 ? value : `${value}Z`);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${flag}: "${value}" is not a time (use ISO 8601, e.g. 2026-11-23T10:00:00Z)`);
  return d;
};

const FORMATS: Record<string, (report: SimulationReport) => string> = {
  text: formatText,
  json: formatJson,
  markdown: formatMarkdown,
  html: formatHtml,
};

export const simulateCommand: Command = {
  summary: 'run the campaigns over a virtual clock and print every entry, send and exit',
  usage: `almanac simulate [dir] --events FILE.ndjson [--contacts FILE.ndjson] --from T --to T
                        [--format text|json|markdown|html] [--json] [--out FILE]

Runs the real engine on a fresh in-memory database: applies dir/campaigns (dir defaults to the
current directory), loads the contacts and events, and moves a virtual clock from --from to --to,
stopping wherever work falls due. Nothing is sent anywhere and no time passes: webhook steps
are gated and rendered but never called (the timeline shows would_call with the body).
Lines of the NDJSON files are events in the API's JSON shape, or contact lines
{"contact": {"id": …, "email": …, "timezone": …}, "attributes": {…}}. Events dated before
--from are history: they count in conditions (e.g. "ordered before") but trigger nothing.
Times without a zone are UTC.

Prints, on each contact's clock: the timeline (every entry, send, hold and exit, why each run
ended, and the runs still going at --to), a line for every contact who did not enter a campaign
and why (no triggering event, outside the audience — naming missing consent —, the re-entry
rule, held out by holdout:, …), and per campaign: entered, held out, did not enter, sent, held
(deferred at least once), cancelled, suppressed, failed, and how its runs ended. Consent in a
campaign's audience keeps a contact out; consent is also checked at every send, so a campaign
whose audience does not ask for it shows the send as suppressed instead.

  --format text       the default: aligned columns
  --format json       the same as one JSON document (UTC time beside local time); --json for short
  --format markdown   a summary table and a timeline table per campaign (a pull-request comment)
  --format html       a self-contained page with a timeline per contact (no script, no external asset)
  --out FILE          write to FILE instead of stdout

The same input always prints the same bytes.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, {
      booleans: ['json'],
      values: ['events', 'contacts', 'from', 'to', 'format', 'out'],
    });
    if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
    if (typeof flags.events !== 'string') throw new UsageError('--events FILE.ndjson is required');
    const format = typeof flags.format === 'string' ? flags.format : flags.json ? 'json' : 'text';
    const print = FORMATS[format];
    if (!print) throw new UsageError(`--format: "${format}" is not one of ${Object.keys(FORMATS).join(', ')}`);
    if (flags.json && format !== 'json') throw new UsageError(`--json is --format json; it cannot go with --format ${format}`);
    const from = parseTime('from', flags.from);
    const to = parseTime('to', flags.to);
    if (to < from) throw new UsageError('--to must not be before --from');
    const input: SimulationInput = { events: [], contacts: [] };
    for (const file of [flags.contacts, flags.events]) {
      if (typeof file !== 'string') continue;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new AppError('bad_request', `cannot read ${file}: ${(err as Error).message}`);
      }
      parseNdjson(file, text, input, from);
    }
    const compiled = await compileOrReport(positional[0], io);
    if (!compiled) return 1;
    const { project, root } = compiled;
    if (project.campaigns.length === 0) {
      io.err(`almanac simulate: no campaign files in ${relative(io.cwd, join(root, 'campaigns')) || '.'}/: nothing to simulate\n`);
      return 1;
    }
    const templatesDir = join(root, 'templates');
    const result = await io.engine.simulate({ project, input, from, to, templatesDir });
    const text = print(simulationReport(result, { from, to }));
    if (typeof flags.out !== 'string') {
      io.out(text);
      return 0;
    }
    const out = resolve(io.cwd, flags.out);
    try {
      writeFileSync(out, text);
    } catch (err) {
      throw new AppError('bad_request', `cannot write ${flags.out}: ${(err as Error).message}`);
    }
    io.err(`almanac simulate: wrote ${flags.out} (${format})\n`);
    return 0;
  },
};
