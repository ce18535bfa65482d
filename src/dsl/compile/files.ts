import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
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

/**
 * The file-system half of compileProject: every `*.yaml` / `*.yml` directly in campaignsDir (paths
 * shown relative to displayRoot, with `/`), and the template names: a folder NAME under
 * templatesDir is a template when it holds subject.hbs and html.hbs or text.hbs.
 * A missing folder reads as empty; the compiler then reports what is missing.
 */
export async function readProjectFiles(
  options: CompileOptions,
): Promise<{ files: Array<{ path: string; text: string }>; templates: string[] }> {
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
  return { files, templates };
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
