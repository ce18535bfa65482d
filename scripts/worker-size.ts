/**
 * The Worker bundle against its budget and its house rule, after `wrangler deploy --dry-run
 * --outdir dist/worker --metafile dist/worker/bundle-meta.json` (npm run build:worker).
 *
 * - Size: Cloudflare counts the gzip size of the upload (3 MiB on the free plan, 10 MiB on paid);
 *   our budget is 1 MiB gzipped. The largest parts are data and libraries the Worker does run:
 *   city-timezones (zone guesses from addresses, as on Node), zod, handlebars, the SES SDK.
 * - Node-only code stays out: no module of ours in the bundle may import the file system,
 *   readline or streams, and nothing of PGlite, node-cron or @hono/node-server may be in it. Under
 *   nodejs_compat such imports would build and then fail at run time on workerd, so the build fails.
 * Exits 1 on either.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP_BYTES = 1024 * 1024;
const NODE_ONLY_IMPORTS = /^(node:)?(fs|fs\/promises|readline|stream|child_process)$/;
const NODE_ONLY_PACKAGES = /node_modules\/(@electric-sql\/pglite|node-cron|@hono\/node-server)\/|node_modules\/drizzle-orm\/pglite\//;

const dir = process.argv[2] ?? 'dist/worker';
const files = readdirSync(dir).filter((f) => /\.(m?js|wasm)$/.test(f));
if (files.length === 0) {
  console.error(`worker-size: no .js in ${dir}: run wrangler deploy --dry-run --outdir ${dir} first`);
  process.exit(1);
}
let failed = false;
let raw = 0;
let gzip = 0;
for (const f of files) {
  const bytes = readFileSync(join(dir, f));
  raw += statSync(join(dir, f)).size;
  gzip += gzipSync(bytes, { level: 9 }).length;
}
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`worker bundle: ${kib(raw)} (${kib(gzip)} gzipped; budget ${kib(BUDGET_GZIP_BYTES)} gzipped) in ${files.join(', ')}`);
if (gzip > BUDGET_GZIP_BYTES) {
  console.error(`worker-size: the bundle is over its budget by ${kib(gzip - BUDGET_GZIP_BYTES)}`);
  failed = true;
}

const metaFile = join(dir, 'bundle-meta.json');
if (!existsSync(metaFile)) {
  console.error(`worker-size: ${metaFile} is missing (wrangler deploy --dry-run --metafile ${metaFile})`);
  process.exit(1);
}
const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as {
  inputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>;
};
for (const [input, { imports }] of Object.entries(meta.inputs)) {
  if (NODE_ONLY_PACKAGES.test(input)) {
    console.error(`worker-size: ${input} is in the Worker bundle: it is Node-only (see src/runtime/worker.ts for what the Worker wires)`);
    failed = true;
  }
  if (!input.startsWith('src/')) continue;
  for (const i of imports.filter((i) => i.external && NODE_ONLY_IMPORTS.test(i.path))) {
    console.error(
      `worker-size: ${input} imports ${i.path}, which workerd does not have: keep it out of what src/runtime/worker.ts reaches`,
    );
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
