import { linkAllowedHostsOf, webhookRulesOf } from '../../config';
import { join, relative } from 'node:path';
import { projectRoot } from '../project';
import { compileProject } from '../../dsl/compile/index';
import { formatDiagnostic } from '../../dsl/diagnostics';
import { type Command, UsageError } from '../command';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const validateCommand: Command = {
  summary: 'check campaign files and templates; every problem with file:line:col and a fix',
  usage:
    'almanac validate [dir]\n\n' +
    'Compiles dir/campaigns/*.yaml (with segments.yaml and calendar.yaml) against the templates in\n' +
    'dir/templates/ (dir defaults to the current directory; the campaigns folder itself works too). Prints every error and warning, then a\n' +
    'summary. Exit 0 when there are no errors (warnings allowed), 1 otherwise.',
  async run(args, io) {
    const positional = args.filter((a) => !a.startsWith('-'));
    const flag = args.find((a) => a.startsWith('-'));
    if (flag) throw new UsageError(`unknown option "${flag}"`);
    if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
    const root = projectRoot(io.cwd, positional[0]);
    const result = await compileProject({
      campaignsDir: join(root, 'campaigns'),
      templatesDir: join(root, 'templates'),
      displayRoot: io.cwd,
      allowedHosts: linkAllowedHostsOf(io.env),
      webhooks: webhookRulesOf(io.env),
    });
    const diagnostics = [...(result.ok ? [] : result.errors), ...result.warnings].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col,
    );
    for (const d of diagnostics) io.out(`${formatDiagnostic(d)}\n`);
    const warnings = plural(result.warnings.length, 'warning');
    if (!result.ok) {
      io.out(`${plural(result.errors.length, 'error')}, ${warnings}: fix the errors above\n`);
      return 1;
    }
    const { campaigns, segments } = result.project;
    if (campaigns.length === 0) {
      io.out(`no campaign files in ${relative(io.cwd, join(root, 'campaigns')) || '.'}/ (${warnings})\n`);
      return 1;
    }
    io.out(`ok: ${plural(campaigns.length, 'campaign')}, ${plural(Object.keys(segments).length, 'segment')}, ${warnings}\n`);
    return 0;
  },
};
