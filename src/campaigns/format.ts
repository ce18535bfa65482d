import type { ApplyPlan, Change, TemplateChange } from './diff';
import { campaignWords, settingChanges } from './words';

/** In-flight runs per campaign and step key, as counted by the database. */
export type RunCounts = Map<string, Map<string | null, number>>;

export function runCountsFrom(rows: Array<{ campaign: string; stepKey: string | null; runs: number }>): RunCounts {
  const out: RunCounts = new Map();
  for (const r of rows) {
    const perStep = out.get(r.campaign) ?? new Map<string | null, number>();
    perStep.set(r.stepKey, (perStep.get(r.stepKey) ?? 0) + r.runs);
    out.set(r.campaign, perStep);
  }
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const total = (m: Map<string | null, number> | undefined) => [...(m?.values() ?? [])].reduce((a, b) => a + b, 0);

/**
 * The text `almanac plan` prints, Terraform-style: `+` add, `~` change, `-` remove. A new campaign
 * is summarised in words (trigger, audience, purpose, priority, steps: ./words.ts); a changed one
 * lists the steps changed by key, how many in-flight runs sit on each changed or removed step and
 * what happens to them (migrate to the new version by key, or finish on theirs), and every changed
 * setting old → new.
 */
export function formatPlan(plan: ApplyPlan, counts: RunCounts): string {
  const lines: string[] = [];
  for (const change of plan.changes) lines.push(...formatChange(change, counts));
  lines.push(...formatTemplates(plan.templates));
  if (plan.changes.length === 0 && plan.templates.length === 0) lines.push('No changes. The database matches the campaign files.');
  const unchanged = [...plan.unchanged, ...(plan.templatesUnchanged ? [plural(plan.templatesUnchanged, 'template file')] : [])];
  if (unchanged.length) lines.push(`  = unchanged: ${unchanged.join(', ')}`);
  const n = (action: Change['action']) => plan.changes.filter((c) => c.action === action).length;
  const t = (action: TemplateChange['action']) => plan.templates.filter((c) => c.action === action).length;
  const files = plan.templates.length ? `; template files: ${t('add')} to add, ${t('change')} to change, ${t('remove')} to remove` : '';
  lines.push('', `Plan: ${n('add')} to add, ${n('change')} to change, ${n('remove')} to remove${files}.`);
  return `${lines.join('\n')}\n`;
}

/**
 * Template files, versioned by apply like campaign files: a new folder's files on one line, each
 * changed or removed file on its own with the campaigns that send its template.
 */
function formatTemplates(changes: TemplateChange[]): string[] {
  const out: string[] = [];
  const sentBy = (c: TemplateChange) => (c.usedBy.length ? `; sent by ${c.usedBy.join(', ')}` : '');
  const added = new Map<string, TemplateChange[]>();
  for (const c of changes) {
    const folder = c.path.includes('/') ? c.path.slice(0, c.path.lastIndexOf('/') + 1) : '';
    if (c.action === 'add') added.set(folder, [...(added.get(folder) ?? []), c]);
  }
  for (const [folder, files] of added) {
    const users = files[0]!.usedBy.length ? ` (sent by ${files[0]!.usedBy.join(', ')})` : '';
    out.push(`  + template files ${folder || './'}: ${files.map((f) => f.path.slice(folder.length)).join(', ')}${users}`);
  }
  for (const c of changes) {
    if (c.action === 'change') out.push(`  ~ template ${c.path} (version ${c.version - 1} → ${c.version}${sentBy(c)})`);
    if (c.action === 'remove') out.push(`  - template ${c.path} (removed; its last text stays in version ${c.version - 1}${sentBy(c)})`);
  }
  return out;
}

function formatChange(change: Change, counts: RunCounts): string[] {
  if (change.kind !== 'campaign') {
    return [`  ${change.action === 'add' ? '+' : '~'} ${change.kind}.yaml → version ${change.version}`];
  }
  const running = counts.get(change.campaign);
  if (change.action === 'add')
    return [`  + campaign ${change.campaign} (version ${change.version})`, ...campaignWords(change.plan).map((l) => `      ${l}`)];
  if (change.action === 'remove') {
    const n = total(running);
    return [
      `  - campaign ${change.campaign} (retire version ${change.version}; no new runs start${
        n ? `, ${plural(n, 'running run')} ${n === 1 ? 'finishes' : 'finish'} on it` : ''
      })`,
    ];
  }
  const fate = change.migrate
    ? `running runs move to version ${change.version} by step key (migrate: true)`
    : `running runs finish on version ${change.fromVersion}; new runs start on ${change.version}`;
  const out = [`  ~ campaign ${change.campaign} (version ${change.fromVersion} → ${change.version}; ${fate})`];
  const width = Math.max(0, ...change.steps.map((s) => s.key.length));
  for (const s of change.steps) {
    const sign = s.change === 'added' ? '+' : s.change === 'removed' ? '-' : '~';
    const here = running?.get(s.key) ?? 0;
    let note = '';
    if (s.change !== 'added') {
      note = `  [${plural(here, 'run')} here`;
      if (here && s.change === 'removed') note += change.migrate ? ': they exit (step removed)' : ': they finish on the old version';
      note += ']';
    }
    out.push(`      ${sign} ${s.key.padEnd(width)}  ${s.description}${note}`);
  }
  const settings = settingChanges(change.previous, change.plan);
  for (const c of settings) out.push(`      ~ ${c.setting}: ${c.from} → ${c.to}`);
  if (change.steps.length === 0 && settings.length === 0)
    out.push('      (no step or setting changes: only the text of the file — comments, layout)');
  return out;
}

/**
 * The plan as a pull-request comment: a heading with the counts, then the plan in a `diff` block
 * (GitHub colours `+` additions and `-` removals), each change's lines under its sign. `more` is
 * markdown placed after the block (`plan --forecast`'s table and warnings).
 */
export function planMarkdown(text: string, more = ''): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const summary = lines
    .at(-1)!
    .replace(/^Plan: /, '')
    .replace(/\.$/, '');
  let sign = ' ';
  const body = lines
    .slice(0, -2)
    .map((l) => {
      const head = /^ {2}([+~=-]) /.exec(l);
      if (head) sign = head[1] === '~' ? '!' : head[1] === '=' ? ' ' : head[1]!;
      return head ? `${sign} ${l.slice(4)}` : `${sign} ${l.slice(2)}`;
    })
    .join('\n');
  return `### Almanac plan: ${summary}\n\n\`\`\`diff\n${body}\n\`\`\`\n\n${more ? `${more}\n` : ''}Nothing changes until \`almanac apply\` runs on the main branch.\n`;
}
