/**
 * The Worker bundle's size against its budget, after `wrangler deploy --dry-run --outdir
 * dist/worker` (npm run build:worker). Cloudflare counts the gzip size of the upload: 3 MiB on
 * the free plan, 10 MiB on paid. Our budget is 1 MiB gzipped, so there is room for the code the
 * Workers issue still has to add; the bundle still carries Node-only modules it never runs
 * (city-timezones, PGlite's JS, the SES SDK — see the README's Workers section), and shrinking it
 * is part of that work. Exits 1 above the budget.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP_BYTES = 1024 * 1024;
const dir = process.argv[2] ?? 'dist/worker';
const files = readdirSync(dir).filter((f) => /\.(m?js|wasm)$/.test(f));
if (files.length === 0) {
  console.error(`worker-size: no .js in ${dir}: run wrangler deploy --dry-run --outdir ${dir} first`);
  process.exit(1);
}
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
  process.exit(1);
}
