import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AppError } from '../../errors';
import type { SimulationInput } from '../../simulate/input';
import { parseNdjson } from '../../simulate/input';
import { formatTimeline } from '../../simulate/timeline';
import { type Command, UsageError } from '../command';
import { compileOrReport, parseFlags } from '../project';

const parseTime = (flag: string, value: string | true | undefined): Date => {
  if (typeof value !== 'string') throw new UsageError(`--${flag} is required (an ISO time such as 2026-11-23T00:00:00Z)`);
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length <= 10 ? value : `${value}Z`);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${flag}: "${value}" is not a time (use ISO 8601, e.g. 2026-11-23T10:00:00Z)`);
  return d;
};

export const simulateCommand: Command = {
  summary: 'run the campaigns over a virtual clock and print every entry, send and exit',
  usage: `almanac simulate [dir] --events FILE.ndjson [--contacts FILE.ndjson] --from T --to T [--json]

Runs the real engine on a fresh in-memory database: applies dir/campaigns (dir defaults to the
current directory), loads the contacts and events, and moves a virtual clock from --from to --to,
stopping wherever work falls due. Nothing is sent anywhere and no time passes: webhook steps
are gated and rendered but never called (the timeline shows would_call with the body).
Lines of the NDJSON files are events in the API's JSON shape, or contact lines
{"contact": {"id": …, "email": …, "timezone": …}, "attributes": {…}}. Events dated before
--from are history: they count in conditions (e.g. "ordered before") but trigger nothing.
Times without a zone are UTC. The same input always prints the same output.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['json'], values: ['events', 'contacts', 'from', 'to'] });
    if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
    if (typeof flags.events !== 'string') throw new UsageError('--events FILE.ndjson is required');
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
    if (flags.json) io.out(`${JSON.stringify(result.timeline, null, 2)}\n`);
    else {
      io.out(formatTimeline(result.timeline));
      const counts = new Map<string, number>();
      for (const e of result.timeline) counts.set(e.outcome, (counts.get(e.outcome) ?? 0) + 1);
      io.out(
        `\n${
          [...counts]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, n]) => `${n} ${k}`)
            .join(', ') || 'nothing happened'
        }\n`,
      );
    }
    return 0;
  },
};
