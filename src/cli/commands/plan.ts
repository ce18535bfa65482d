import { formatPlan, runCountsFrom } from '../../campaigns/format';
import { diffProject } from '../../campaigns/diff';
import { countActiveRunsByStep, latestVersions } from '../../storage/campaign-versions';
import type { Command } from '../command';
import { projectFromArgs, withDatabase } from '../project';

export const planCommand: Command = {
  summary: 'show what `apply` would change: campaigns and steps, and the runs on them',
  usage: `almanac plan [dir] [--json]

Compiles dir/campaigns and dir/templates (dir defaults to the current directory) and compares
them with what the database holds: campaigns added, changed (steps added / changed / removed by
key, with the in-flight runs on each changed or removed step) and removed, and whether running
runs move to the new version (migrate: true) or finish on theirs. Changes nothing.`,
  async run(args, io) {
    const parsed = await projectFromArgs(args, io);
    if (!parsed) return 1;
    const { project, json } = parsed;
    return withDatabase(io, async (database) => {
      const plan = diffProject(await latestVersions(database.db), project);
      const touched = plan.changes.flatMap((c) => (c.kind === 'campaign' && c.action !== 'add' ? [c.campaign] : []));
      const counts = await countActiveRunsByStep(database.db, touched);
      if (json) io.out(`${JSON.stringify(planJson(plan, counts), null, 2)}\n`);
      else io.out(formatPlan(plan, runCountsFrom(counts)));
      return 0;
    });
  },
};

function planJson(plan: ReturnType<typeof diffProject>, counts: Awaited<ReturnType<typeof countActiveRunsByStep>>) {
  return {
    changes: plan.changes.map((c) => {
      if (c.kind !== 'campaign') return { file: `${c.kind}.yaml`, action: c.action, version: c.version };
      if (c.action === 'change') {
        return {
          campaign: c.campaign,
          action: c.action,
          fromVersion: c.fromVersion,
          version: c.version,
          migrate: c.migrate,
          steps: c.steps.map((s) => ({
            ...s,
            runs: counts.find((r) => r.campaign === c.campaign && r.stepKey === s.key)?.runs ?? 0,
          })),
        };
      }
      return { campaign: c.campaign, action: c.action, version: c.version };
    }),
    unchanged: plan.unchanged,
  };
}
