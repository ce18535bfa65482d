import { instantToLocal } from '../../calendar/zone';
import { DEFAULT_FORECAST_DAYS, type PlanForecastRequest } from '../../forecast/plan-forecast';
import { dayIn, MAX_RANGE_DAYS, rangeProblem } from '../../forecast/view';
import type { Project } from '../../dsl/plan';
import { type Command, UsageError } from '../command';
import { adminFor, compileOrReport, parseFlags } from '../project';

export const planCommand: Command = {
  summary: 'show what `apply` would change: campaigns and steps, the runs on them, and (--forecast) the sends of the next days',
  usage: `almanac plan [dir] [--format text|json|markdown] [--json] [--forecast [--days N] [--from DAY]]

Compiles dir/campaigns and dir/templates (dir defaults to the current directory) and compares
them with what the database holds: campaigns added, changed (steps added / changed / removed by
key, with the in-flight runs on each changed or removed step) and removed, and whether running
runs move to the new version (migrate: true) or finish on theirs. Changes nothing. With a server
running on the embedded database, or ALMANAC_URL set, the comparison is made by that server.
A new campaign is summarised in words and every changed setting is named old → new.
--format markdown prints it as a pull-request comment (examples/ci/ has a workflow that posts it);
--json is --format json.

--forecast adds what the change does to the next N days (--days, default ${DEFAULT_FORECAST_DAYS}, at most
${MAX_RANGE_DAYS}; from today, or from --from DAY, a date YYYY-MM-DD in the calendar's zone or an ISO
instant for its date there): the forecast sends per campaign and day with what is applied, and
again as if these files were applied (their campaigns and calendar), before → after, with the
days that change; then warnings, each naming the campaign and step: steps no path reaches,
branch arms never taken, sends always due in quiet hours, broadcasts more frequent than a cap
allows or always outranked inside one, contacts without a time zone that a send at each
contact's local time reaches, campaigns whose every forecast send is held. Today is the engine's
clock.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['json', 'forecast'], values: ['format', 'days', 'from'] });
    const format = flags.format;
    if (format !== undefined && !['text', 'json', 'markdown'].includes(String(format)))
      throw new UsageError('--format: expected text, json or markdown');
    if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
    if (!flags.forecast && (flags.days !== undefined || flags.from !== undefined))
      throw new UsageError(`--${flags.days !== undefined ? 'days' : 'from'} goes with --forecast`);
    const days = daysOf(flags.days);
    const from = typeof flags.from === 'string' ? flags.from : undefined;
    if (from !== undefined) {
      const problem = rangeProblem(from, from);
      if (problem) throw new UsageError(`--from: ${problem.message}`);
    }
    const compiled = await compileOrReport(positional[0], io);
    if (!compiled) return 1;
    const forecast = flags.forecast ? forecastRequest(compiled.project, days, from, io.engine.now()) : undefined;
    const report = await adminFor(io, 'plan').plan(compiled.sources, forecast ? { forecast } : {});
    const as = flags.json ? 'json' : (format ?? 'text');
    io.out(
      as === 'json' ? `${JSON.stringify(report.json, null, 2)}\n` : as === 'markdown' ? (report.markdown ?? report.text) : report.text,
    );
    return 0;
  },
};

function daysOf(value: string | true | undefined): number {
  if (value === undefined) return DEFAULT_FORECAST_DAYS;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n < 1 || n > MAX_RANGE_DAYS)
    throw new UsageError(`--days: expected a whole number of days from 1 to ${MAX_RANGE_DAYS} (got "${String(value)}")`);
  return n;
}

/** The window, checked here against the project calendar's today (the server checks it again). */
function forecastRequest(project: Project, days: number, from: string | undefined, now: Date): PlanForecastRequest {
  const zone = project.calendar.timezone;
  const today = instantToLocal(now, zone).date;
  if (from !== undefined && dayIn(from, zone) < today)
    throw new UsageError(`--from: ${dayIn(from, zone)} is before today (${today} in ${zone}): the forecast starts today at the earliest`);
  return { days, now, ...(from === undefined ? {} : { from }) };
}
