import { type Command, UsageError } from '../command';
import { adminFor, projectFromArgs } from '../project';

export const planCommand: Command = {
  summary: 'show what `apply` would change: campaigns and steps, and the runs on them',
  usage: `almanac plan [dir] [--format text|json|markdown] [--json]

Compiles dir/campaigns and dir/templates (dir defaults to the current directory) and compares
them with what the database holds: campaigns added, changed (steps added / changed / removed by
key, with the in-flight runs on each changed or removed step) and removed, and whether running
runs move to the new version (migrate: true) or finish on theirs. Changes nothing. With a server
running on the embedded database, or ALMANAC_URL set, the comparison is made by that server.
A new campaign is summarised in words and every changed setting is named old → new.
--format markdown prints it as a pull-request comment (examples/ci/ has a workflow that posts it);
--json is --format json.`,
  async run(args, io) {
    const i = args.findIndex((a) => a === '--format' || a.startsWith('--format='));
    const format = i < 0 ? undefined : args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
    if (i >= 0 && !['text', 'json', 'markdown'].includes(format ?? '')) throw new UsageError('--format: expected text, json or markdown');
    const rest = i < 0 ? args : args.filter((_, k) => k !== i && (args[i]!.includes('=') || k !== i + 1));
    const parsed = await projectFromArgs(rest, io);
    if (!parsed) return 1;
    const report = await adminFor(io, 'plan').plan(parsed.sources);
    const as = parsed.json ? 'json' : (format ?? 'text');
    io.out(
      as === 'json' ? `${JSON.stringify(report.json, null, 2)}\n` : as === 'markdown' ? (report.markdown ?? report.text) : report.text,
    );
    return 0;
  },
};
