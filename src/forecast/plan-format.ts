import type { CampaignForecastChange, ForecastComparison } from './compare';
import type { PlanForecast } from './plan-forecast';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** Days listed per campaign before the rest is summed up as "and N more days". */
const DAYS_SHOWN = 8;

const weekday = (date: string) => WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
const delta = (c: { before: number; after: number }) => {
  const d = c.after - c.before;
  return d === 0 ? '' : ` (${d > 0 ? '+' : '−'}${Math.abs(d)})`;
};
const changed = (c: CampaignForecastChange) => c.days.length > 0;
const heading = (f: ForecastComparison) =>
  `Forecast, next ${f.days} day${f.days === 1 ? '' : 's'} (${weekday(f.from)} ${f.from} to ${weekday(f.to)} ${f.to}, days in ${f.timezone})`;

/** `Fri 2026-11-27 0 → 10`, the first DAYS_SHOWN of them, then how many more. */
function dayList(c: CampaignForecastChange, separator: string): string {
  const shown = c.days.slice(0, DAYS_SHOWN).map((d) => `${weekday(d.date)} ${d.date} ${d.before} → ${d.after}`);
  const more = c.days.length - shown.length;
  return shown.join(separator) + (more > 0 ? `${separator}and ${more} more day${more === 1 ? '' : 's'}` : '');
}

/**
 * The forecast as `almanac plan --forecast` prints it after the plan: every campaign whose
 * forecast changes (`~`; `+` when it had none, `-` when it will have none) with its total
 * before → after and the days that change, then the unchanged ones on one line, the total,
 * what the forecast leaves out, and the warnings.
 */
export function forecastText(p: PlanForecast): string {
  const f = p.forecast;
  const lines = ['', `${heading(f)}: sends before → after apply`];
  const moving = f.campaigns.filter(changed);
  const width = Math.max(0, ...moving.map((c) => c.campaign.length));
  for (const c of moving) {
    const sign = c.before === 0 ? '+' : c.after === 0 ? '-' : '~';
    lines.push(`  ${sign} ${c.campaign.padEnd(width)}  ${c.before} → ${c.after}${delta(c)}`, `      ${dayList(c, ', ')}`);
  }
  const still = f.campaigns.filter((c) => !changed(c));
  if (still.length) lines.push(`  = unchanged: ${still.map((c) => `${c.campaign} ${c.after}`).join(', ')}`);
  if (f.campaigns.length === 0) lines.push('  no sends forecast, before or after');
  lines.push(`  total: ${f.total.before} → ${f.total.after}${delta(f.total)}`);
  for (const note of p.notes) lines.push(`  note: ${note}`);
  lines.push('', p.warnings.length ? `Warnings (${p.warnings.length}):` : 'Warnings: none.');
  for (const w of p.warnings) lines.push(`  ! ${w.campaign}${w.step ? ` ${w.step}` : ''}: ${w.message}`);
  return `${lines.join('\n')}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The same for the pull-request comment: one compact table (campaign, total before → after, the days that change), then the warnings. */
export function forecastMarkdown(p: PlanForecast): string {
  const f = p.forecast;
  const rows = f.campaigns.map(
    (c) => `| ${cell(c.campaign)} | ${c.before} → ${c.after}${delta(c)} | ${changed(c) ? cell(dayList(c, '; ')) : '—'} |`,
  );
  const table = [
    '| campaign | sends before → after | days that change |',
    '|---|---|---|',
    ...rows,
    `| **total** | **${f.total.before} → ${f.total.after}${delta(f.total)}** | |`,
  ];
  const notes = p.notes.map((n) => `> ${n}`);
  const warnings = p.warnings.length
    ? ['#### Warnings', '', ...p.warnings.map((w) => `- **${w.campaign}**${w.step ? ` \`${w.step}\`` : ''}: ${w.message}`)]
    : ['No warnings.'];
  return [`#### ${heading(f)}`, '', ...table, ...(notes.length ? ['', ...notes] : []), '', ...warnings, ''].join('\n');
}
