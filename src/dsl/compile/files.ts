import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { isTemplatePath } from '../../render/template-files';
import type { WebhookRules } from './step-context';

export interface CompileOptions {
  campaignsDir: string;
  templatesDir: string;
  /** Paths in diagnostics are relative to this; default process.cwd(). */
  displayRoot?: string;
  /** LINK_ALLOWED_HOSTS: literal template links elsewhere are errors (src/render/link-hosts.ts). */
  allowedHosts?: readonly string[];
  /** WEBHOOK_ALLOWED_HOSTS and the configured webhook secret names (src/dsl/compile/webhook.ts). */
  webhooks?: WebhookRules;
}

/** A project as read from disk: what the CLI sends a server, and what compileSources takes. */
export interface ProjectFiles {
  files: Array<{ path: string; text: string }>;
  templates: string[];
  /** Every template file (`*.hbs`, `*.yaml`; src/render/template-files.ts `isTemplatePath`), path relative to templatesDir with `/`: apply versions them. */
  templateFiles: Array<{ path: string; text: string }>;
}

/**
 * The file-system half of compileProject: every `*.yaml` / `*.yml` directly in campaignsDir (paths
 * shown relative to displayRoot, with `/`), and the template names: a folder NAME under
 * templatesDir is a template when it holds subject.hbs and html.hbs or text.hbs.
 * A missing folder reads as empty; the compiler then reports what is missing.
 */
export async function readProjectFiles(options: CompileOptions): Promise<ProjectFiles> {
  const root = resolve(options.displayRoot ?? process.cwd());
  const campaignsDir = resolve(options.campaignsDir);
  const names = (await list(campaignsDir)).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort();
  const files = await Promise.all(
    names.map(async (n) => ({
      path: relative(root, join(campaignsDir, n)).split(sep).join('/'),
      text: await readFile(join(campaignsDir, n), 'utf8'),
    })),
  );
  const templatesDir = resolve(options.templatesDir);
  const templates: string[] = [];
  for (const name of (await list(templatesDir)).sort()) {
    const inside = await list(join(templatesDir, name));
    if (inside.includes('subject.hbs') && (inside.includes('html.hbs') || inside.includes('text.hbs'))) templates.push(name);
  }
  return { files, templates, templateFiles: await templateFilesUnder(templatesDir) };
}

/** Every template file under `root`, depth-first, sorted; dot files and folders are skipped. */
async function templateFilesUnder(root: string, prefix = ''): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  for (const name of (await list(join(root, prefix))).sort()) {
    if (name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${name}` : name;
    const full = join(root, rel);
    if ((await stat(full)).isDirectory()) out.push(...(await templateFilesUnder(root, rel)));
    else if (isTemplatePath(rel)) out.push({ path: rel, text: await readFile(full, 'utf8') });
  }
  return out;
}

async function list(dir: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) return [];
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
