import type { Command } from '../command';
import { adminFor, projectFromArgs } from '../project';

export const applyCommand: Command = {
  summary: 'store a new version of every campaign file that changed (all or nothing)',
  usage: `almanac apply [dir] [--json]

Compiles dir/campaigns and dir/templates (dir defaults to the current directory); if any file
has an error nothing is stored. Otherwise stores a new version of each campaign whose file's
content changed (and of calendar.yaml / segments.yaml when they changed), retires campaigns whose
file is gone, and moves running runs to the new version when it says migrate: true. With a server
running on the embedded database, or ALMANAC_URL set, that server compiles and stores them.`,
  async run(args, io) {
    const parsed = await projectFromArgs(args, io);
    if (!parsed) return 1;
    const report = await adminFor(io, 'apply').apply(parsed.sources);
    io.out(parsed.json ? `${JSON.stringify(report.json, null, 2)}\n` : report.text);
    return 0;
  },
};
