import { entries } from './entries';
import { referenceGaps } from './gaps';
import { labels, renderReference } from './markdown';
import { type SchemaKey, schemaKeys } from './schema-keys';

export { entries } from './entries';
export { contextOf, exampleProject, type ExampleBase, type ExampleProject } from './examples';
export type { Entry, ExampleContext } from './entry';
export type { SchemaKey } from './schema-keys';

/**
 * The DSL reference, docs/dsl.md: the keys of the zod schemas of the YAML surface
 * (src/dsl/compile/surface/) with the words of entries.ts. Pure; `npm run docs:dsl`
 * (scripts/docs-dsl.ts) writes it, tests/dsl/reference.test.ts keeps it true.
 */
export const referenceKeys = (): SchemaKey[] => schemaKeys(labels(entries));

/** The text of docs/dsl.md. */
export const dslReference = (): string => renderReference(referenceKeys(), entries);

/** What the reference lacks to cover the schema (each line names the key and the file to fix); empty when complete. */
export const dslReferenceGaps = (): string[] => referenceGaps(referenceKeys(), entries);

/** Where the reference lives in the repository, and the command that writes it. */
export const DSL_REFERENCE_FILE = 'docs/dsl.md';
export const DSL_REFERENCE_COMMAND = 'npm run docs:dsl';
