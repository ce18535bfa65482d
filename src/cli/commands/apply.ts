import { applyProject } from '../../campaigns/apply';
import { formatPlan, runCountsFrom } from '../../campaigns/format';
import { countActiveRunsByStep, latestVersions } from '../../storage/campaign-versions';
import type { Command } from '../command';
import { projectFromArgs, withDatabase } from '../project';

export const applyCommand: Command = {
  summary: 'store a new version of every campaign file that changed (all or nothing)',
  usage: `almanac apply [dir] [--json]

Compiles dir/campaigns and dir/templates (dir defaults to the current directory); if any file
has an error nothing is stored. Otherwise stores a new version of each campaign whose file's
content changed (and of calendar.yaml / segments.yaml when they changed), retires campaigns whose
file is gone, and moves running runs to the new version when it says migrate: true.`,
  async run(args, io) {
    const parsed = await projectFromArgs(args, io);
    if (!parsed) return 1;
    const { project, json } = parsed;
    return withDatabase(io, async (database) => {
      // Count runs per step before applying, so the printed plan shows where they were.
      const names = new Set([...project.campaigns.map((c) => c.id), ...(await latestVersions(database.db)).map((v) => v.campaign)]);
      const counts = runCountsFrom(await countActiveRunsByStep(database.db, [...names]));
      const result = await applyProject(database, project, new Date());
      if (json) {
        io.out(
          `${JSON.stringify({ stored: result.stored, retired: result.retired, migrated: result.migrated, unchanged: result.plan.unchanged }, null, 2)}\n`,
        );
      } else {
        io.out(formatPlan(result.plan, counts).replace(/\nPlan: .*\n$/, '\n'));
        io.out(
          `Applied: ${result.stored.length} version(s) stored${result.stored.length ? ` (${result.stored.join(', ')})` : ''}, ` +
            `${result.retired.length} retired, runs migrated ${result.migrated.moved}, exited ${result.migrated.exited}.\n`,
        );
      }
      return 0;
    });
  },
};
