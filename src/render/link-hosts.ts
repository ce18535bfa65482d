import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../dsl/diagnostics';
import { hostAllowed } from '../lib/hosts';

/**
 * With LINK_ALLOWED_HOSTS set, every literal http(s) link a template writes — `href="https://…"`
 * in any `.hbs` under templates/ (parts, locales, layouts, partials) — must point to one of those
 * hosts (or a subdomain): `almanac validate` (and plan, apply, serve) report each other one at
 * file:line:col. Links built from data (`{{cart.url}}`) are checked when the mail is sent: the
 * dispatcher leaves such a link untracked (src/tracking/track-messages.ts).
 */
export function linkHostProblems(templatesDir: string, allowed: readonly string[], displayRoot: string = process.cwd()): Diagnostic[] {
  if (allowed.length === 0) return [];
  const out: Diagnostic[] = [];
  const show = (file: string) => relative(resolve(displayRoot), resolve(file)).split(sep).join('/');
  for (const file of hbsFiles(templatesDir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/href\s*=\s*["']?(https?:\/\/[^\s"'<>{}]+)/gi)) {
      let host: string;
      try {
        host = new URL(m[1]!).hostname;
      } catch {
        continue;
      }
      if (hostAllowed(host, allowed)) continue;
      const before = text.slice(0, m.index! + m[0].indexOf(m[1]!));
      const line = before.split('\n').length;
      const col = before.length - before.lastIndexOf('\n');
      out.push({
        file: show(file),
        line,
        col,
        severity: 'error',
        message: `link to ${host} is outside LINK_ALLOWED_HOSTS (${allowed.join(', ')})`,
        hint: 'point it at an allowed host, or add the host to LINK_ALLOWED_HOSTS',
      });
    }
  }
  return out;
}

function hbsFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? hbsFiles(p) : n.endsWith('.hbs') ? [p] : [];
  });
}
