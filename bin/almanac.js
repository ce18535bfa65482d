#!/usr/bin/env node
// The `almanac` command. Sources run through tsx, so there is no build step.
// Almanac never depends on the process time zone; TZ=UTC makes any slip visible at once.
process.env.TZ = 'UTC';
// `almanac simulate … | head`: stop quietly when the reader goes away.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/runtime/cli.ts');
process.exitCode = await main(process.argv.slice(2));
