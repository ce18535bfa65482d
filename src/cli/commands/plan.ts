import type { Command } from '../command';
import { adminFor, projectFromArgs } from '../project';

export const planCommand: Command = {
  summary: 'show what `apply` would change: campaigns and steps, and the runs on them',
  usage: `almanac plan [dir] [--json]

Compiles dir/campaigns and dir/templates (dir defaults to the current directory) and compares
them with what the database holds: campaigns added, changed (steps added / changed / removed by
key, with the in-flight runs on each changed or removed step) and removed, and whether running
runs move to the new version (migrate: true) or finish on theirs. Changes nothing. With a server
running on the embedded database, or ALMANAC_URL set, the comparison is made by that server.`,
  async run(args, io) {
    const parsed = await projectFromArgs(args, io);
    if (!parsed) return 1;
    const report = await adminFor(io, 'plan').plan(parsed.sources);
    io.out(parsed.json ? `${JSON.stringify(report.json, null, 2)}\n` : report.text);
    return 0;
  },
};
