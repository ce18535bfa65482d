import { INSTANT_EXPECTED, parseInstant } from '../../lib/instant';
import { type CalendarView, buildCalendarView, rangeProblem, viewToIcs } from '../../forecast/view';
import { type Command, UsageError } from '../command';
import { adminFor, compileOrReport, parseFlags } from '../project';

export const calendarCommand: Command = {
  summary: 'print the marketing calendar: broadcasts, blackouts, seasons and forecast sends per day',
  usage: `almanac calendar --from DAY --to DAY [--ics] [--json] [--dir DIR] [--now T]

Prints one line per day from --from to --to (both inclusive, in the calendar's zone, at most a
year; a DAY is YYYY-MM-DD, or an ISO instant such as 2026-12-01T00:00:00Z for its date there): weekday, blackout and season, the broadcasts scheduled that day with their time, and the
forecast sends per campaign. Reads what is applied in the configured database (DATABASE_URL,
else the embedded one; through the server when one runs on it, or ALMANAC_URL is set). When nothing is applied yet, compiles DIR (default: the current
directory) and shows the occurrences from the files instead, without a forecast (it needs
contacts), and says so. --json prints the same calendar as GET /v1/calendar; --ics as iCalendar.
--now (an ISO instant, default: the current time) is the moment the forecast is made at, for
output that is the same on every run.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['ics', 'json'], values: ['from', 'to', 'dir', 'now'] });
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    if (flags.ics && flags.json) throw new UsageError('--ics and --json are alternatives: give one');
    const from = typeof flags.from === 'string' ? flags.from : undefined;
    const to = typeof flags.to === 'string' ? flags.to : undefined;
    const problem = rangeProblem(from, to);
    if (problem) throw new UsageError(`--${problem.parameter}: ${problem.message}`);
    const range = { from: from!, to: to! };
    const now = flags.now === undefined ? new Date() : parseNow(flags.now); // the CLI is an edge: it may read the clock
    const applied = await adminFor(io, 'calendar').calendar(range, now);
    let view: CalendarView;
    let note: string | undefined;
    if (applied.applied && applied.view) view = applied.view;
    else {
      const dir = typeof flags.dir === 'string' ? flags.dir : '.';
      const project = (await compileOrReport(dir, io))?.project;
      if (!project) return 1;
      view = buildCalendarView({ calendar: project.calendar, campaigns: project.campaigns, forecast: [], range, now });
      note = `nothing is applied in the database yet: showing occurrences from ${dir}/campaigns, without a forecast (run almanac apply)`;
    }
    if (note && (flags.ics || flags.json)) io.err(`${note}\n`);
    if (flags.ics) io.out(viewToIcs(view, now));
    else if (flags.json) io.out(`${JSON.stringify(view, null, 2)}\n`);
    else io.out(formatCalendar(view, note));
    return 0;
  },
};

export function parseNow(value: string | true): Date {
  const d = typeof value === 'string' ? parseInstant(value) : undefined;
  if (!d) throw new UsageError(`--now: expected ${INSTANT_EXPECTED} (got "${String(value)}")`);
  return d;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * The text table: one row per day, extra rows for a day's second and later broadcasts. Columns
 * are padded to their widest cell so the table lines up in any terminal; no colour codes.
 */
export function formatCalendar(view: CalendarView, note?: string): string {
  const names = new Map(view.campaigns.map((c) => [c.id, c.name]));
  const rows: string[][] = [['date', 'day', 'blackout / season', 'broadcasts', 'forecast']];
  for (const day of view.days) {
    const marks = [day.blackout === undefined ? '' : `BLACKOUT ${day.blackout}`, ...day.seasons.map((s) => `season ${s}`)].filter(Boolean);
    const occurrences = day.occurrences.map((o) => {
      const how = o.label
        .slice(o.local.length)
        .trim()
        .replace(/^\((.*)\)$/, '$1'); // "each contact's time", "10:00 America/New_York"
      return `${o.local} ${o.name}${how ? ` (${how})` : ''}${o.held === undefined ? '' : ` held by blackout`}`;
    });
    const forecast =
      day.total > 0 || day.forecast.length
        ? `${day.total} sends (${day.forecast.map((f) => `${names.get(f.campaign) ?? f.campaign} ${f.sends}${f.deferred ? `, ${f.deferred} deferred` : ''}`).join('; ')})`
        : '';
    const weekday = WEEKDAYS[new Date(`${day.date}T00:00:00Z`).getUTCDay()]!;
    rows.push([day.date, weekday, marks.join(', '), occurrences[0] ?? '', forecast]);
    for (const more of occurrences.slice(1)) rows.push(['', '', '', more, '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  const first = view.days[0]?.date ?? '';
  const last = view.days.at(-1)?.date ?? '';
  const header = [`Calendar ${first} to ${last}, times in ${view.timezone}`, ...(note ? [`Note: ${note}`] : [])];
  return `${header.join('\n')}\n\n${lines.join('\n')}\n`;
}
