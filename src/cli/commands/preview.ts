import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../config';
import { AppError } from '../../errors';
import type { RenderDataInput } from '../../render/data';
import { PREVIEW_CONFIRM_PATH, PREVIEW_UNSUBSCRIBE_PATH, renderPreview } from '../../render/preview';
import { TRANSACTIONAL_PURPOSE } from '../../dsl/plan';
import type { Recommendation } from '../../render/types';
import { walkSteps } from '../../dsl/walk';
import { type CliIo, type Command, UsageError } from '../command';
import { adminFor, compileOrReport, parseFlags, projectRoot } from '../project';

type PreviewContact = RenderDataInput['contact'] & { label: string };

/** A contact line `{ "contact": {…}, "attributes": {…} }`, or a plain object of attributes with an email. */
function contactFromFile(file: string): {
  contact: PreviewContact;
  trigger?: { type: string; properties: Record<string, unknown> };
  recommendations?: Recommendation[];
} {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new AppError('bad_request', `--contact ${file}: ${(err as Error).message}`);
  }
  const c = (json.contact ?? json) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const attributes = { ...(json.contact ? (json.attributes as Record<string, unknown>) : json) };
  const trigger = json.trigger as { type?: string; properties?: Record<string, unknown> } | undefined;
  return {
    contact: {
      label: str(c.id) ?? str(c.email) ?? file,
      email: str(c.email),
      locale: str(c.locale),
      timezone: str(c.timezone),
      attributes,
    },
    ...(trigger?.type ? { trigger: { type: trigger.type, properties: trigger.properties ?? {} } } : {}),
  };
}

export const previewCommand: Command = {
  summary: 'render every send of a campaign for one contact, as it would be sent',
  usage: `almanac preview <campaign> --contact <id|file.json> [--dir DIR] [--out DIR]

Renders each send step of the campaign (every branch and split arm) with the real template engine.
--contact ID looks the contact up in the configured database by external id (or email; through
the server when one runs on the embedded database, or ALMANAC_URL is set) and uses
its newest event of the campaign's trigger type as the trigger (its cart, for abandoned carts);
--contact FILE.json reads {"contact": {"email": …, "locale": …}, "attributes": {…}, "trigger":
{"type": …, "properties": {…}}}. --out DIR also writes each HTML part to DIR/<step key>.html.
--dir is the project root holding campaigns/ and templates/ (default: current directory).`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { values: ['contact', 'dir', 'out'] });
    const [campaignId, extra] = positional;
    if (!campaignId) throw new UsageError('name the campaign to preview');
    if (extra) throw new UsageError(`unexpected argument "${extra}"`);
    if (typeof flags.contact !== 'string') throw new UsageError('--contact <id|file.json> is required');
    const dir = typeof flags.dir === 'string' ? flags.dir : undefined;
    const project = (await compileOrReport(dir, io))?.project;
    if (!project) return 1;
    const plan = project.campaigns.find((c) => c.id === campaignId);
    if (!plan) throw new AppError('not_found', `no campaign "${campaignId}" (have: ${project.campaigns.map((c) => c.id).join(', ')})`);
    const triggerType = plan.trigger.kind === 'event' ? plan.trigger.event : undefined;
    const who = flags.contact.endsWith('.json')
      ? contactFromFile(resolve(io.cwd, flags.contact))
      : await contactFromDb(flags.contact, triggerType, io);
    const renderer = io.engine.renderer(join(projectRoot(io.cwd, dir), 'templates'));
    const out = typeof flags.out === 'string' ? resolve(io.cwd, flags.out) : undefined;
    if (out) mkdirSync(out, { recursive: true });
    const zone = who.contact.timezone ? `timezone ${who.contact.timezone}` : 'no timezone: the calendar zone applies';
    io.out(`Preview of ${plan.id} for ${who.contact.label} <${who.contact.email ?? 'no email'}> (${zone})\n`);
    let failures = 0;
    const config = loadConfig(io.env);
    for (const step of walkSteps(plan.steps)) {
      if (step.kind !== 'send') continue;
      const r = renderPreview(renderer, {
        template: step.template,
        contact: who.contact,
        trigger: who.trigger ?? null,
        campaign: { id: plan.id, name: plan.name },
        data: step.data,
        ...(step.subject === undefined ? {} : { subject: step.subject }),
        recommendations: who.recommendations ?? [],
        sender: config.mail,
        postalAddress: config.mail.postalAddress,
        ...(plan.purpose === TRANSACTIONAL_PURPOSE
          ? {}
          : { unsubscribeUrl: `${config.http.publicUrl.replace(/\/+$/, '')}${PREVIEW_UNSUBSCRIBE_PATH}` }),
        confirmUrl: `${config.http.publicUrl.replace(/\/+$/, '')}${PREVIEW_CONFIRM_PATH}`,
      });
      io.out(`\n── ${step.key}: send ${step.template} ${'─'.repeat(Math.max(0, 60 - step.key.length - step.template.length))}\n`);
      if (!r.ok) {
        failures++;
        io.out(`  cannot render: ${r.message}\n`);
        continue;
      }
      io.out(`Subject: ${r.subject}\n\n${r.text.trimEnd()}\n`);
      for (const warning of r.warnings) io.err(`warning: ${step.key} (${step.template}): ${warning}\n`);
      if (out) {
        const file = join(out, `${step.key.replace(/[^A-Za-z0-9._-]+/g, '_')}.html`);
        writeFileSync(file, r.html);
        io.out(`(HTML: ${file})\n`);
      }
    }
    return failures ? 1 : 0;
  },
};

async function contactFromDb(id: string, triggerType: string | undefined, io: CliIo) {
  const found = await adminFor(io, 'preview').previewSubject(id, triggerType);
  if (!found) throw new AppError('not_found', `no contact with external id or email "${id}" in the database (or pass --contact FILE.json)`);
  return found;
}
