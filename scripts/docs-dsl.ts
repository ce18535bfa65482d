/**
 * `npm run docs:dsl`: writes docs/dsl.md, the DSL reference, from the zod schemas of the YAML
 * surface and the words in src/dsl/compile/reference/entries.ts. Refuses (exit 1, nothing
 * written) while a key of the schema has no entry, naming each. `--check` writes nothing and
 * exits 1 when docs/dsl.md differs.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DSL_REFERENCE_COMMAND, DSL_REFERENCE_FILE, dslReference, dslReferenceGaps } from '../src/dsl/compile/reference/index';

const root = join(import.meta.dirname, '..');
const target = join(root, DSL_REFERENCE_FILE);
const gaps = dslReferenceGaps();
if (gaps.length) {
  console.error(`${DSL_REFERENCE_FILE} not written: the reference does not cover the schema\n${gaps.map((g) => `  ${g}`).join('\n')}`);
  process.exit(1);
}
const text = dslReference();
const current = (() => {
  try {
    return readFileSync(target, 'utf8');
  } catch {
    return undefined;
  }
})();
if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error(`${DSL_REFERENCE_FILE} is stale: run ${DSL_REFERENCE_COMMAND}`);
    process.exit(1);
  }
  console.log(`${DSL_REFERENCE_FILE} is up to date`);
} else if (current === text) console.log(`${DSL_REFERENCE_FILE} is up to date`);
else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${DSL_REFERENCE_FILE}`);
}
