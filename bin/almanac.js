#!/usr/bin/env node
// The `almanac` command: the CLI bundled to JavaScript on first use after a change (./bundle.js),
// or the TypeScript sources through tsx when no bundle can be built. No build step to remember.
// Almanac never depends on the process time zone; TZ=UTC makes any slip visible at once.
process.env.TZ = 'UTC';
// `almanac simulate … | head`: stop quietly when the reader goes away.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
import { bundledCli } from './bundle.js';
const bundle = await bundledCli();
let cli;
if (bundle) cli = await import(bundle);
else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/runtime/cli.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
