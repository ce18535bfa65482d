/**
 * Where an example sits when the reference test compiles it (src/dsl/compile/reference/examples.ts):
 * - `campaign`: top-level keys of a campaign file (the missing required ones are added);
 * - `steps`: items of a campaign's `steps:` list;
 * - `audience`: a condition, as a campaign's `audience:`;
 * - `segments`: a whole segments.yaml;
 * - `calendar`: top-level keys of calendar.yaml (`timezone:` added when missing).
 */
export type ExampleContext = 'campaign' | 'steps' | 'audience' | 'segments' | 'calendar';

/** What docs/dsl.md says about one key of the schema surface (see src/dsl/compile/reference/entries.ts). */
export interface Entry {
  /** What the key means, in one line of Markdown: defaults and limits included. */
  meaning: string;
  /** A short YAML example, as written in a file (a fragment: see `in`). */
  example?: string;
  /** Where the example goes; default by section: campaign and trigger → campaign, step → steps, condition → audience. */
  in?: ExampleContext;
  /** Value types (`value.*`) only: the words for it in the reference's value column. */
  name?: { one: string; many: string };
}

/**
 * Strips the common indentation of a template literal and its first and last line breaks, so YAML
 * sits indented in code. Raw: `\"` stays as written, as YAML wants it inside double quotes.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const lines = String.raw({ raw: strings.raw }, ...values)
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '')
    .split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent).trimEnd()).join('\n');
}
