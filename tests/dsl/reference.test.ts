import { readFileSync } from 'node:fs';
import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { compileSources } from '../../src/dsl/compile/index';
import { readProjectFiles } from '../../src/dsl/compile/files';
import {
  DSL_REFERENCE_FILE,
  contextOf,
  dslReference,
  dslReferenceGaps,
  entries,
  exampleProject,
  referenceKeys,
} from '../../src/dsl/compile/reference/index';
import { referenceGaps } from '../../src/dsl/compile/reference/gaps';
import { labels } from '../../src/dsl/compile/reference/markdown';
import { type SchemaKey, schemaKeys } from '../../src/dsl/compile/reference/schema-keys';
import { calendarFile, segmentsFile } from '../../src/dsl/compile/surface/calendar';
import { campaignFile } from '../../src/dsl/compile/surface/campaign';
import { duration } from '../../src/dsl/compile/surface/scalars';
import { formatDiagnostic } from '../../src/dsl/diagnostics';

const root = new URL('../../', import.meta.url).pathname;
const ENTRIES = 'src/dsl/compile/reference/entries.ts';

describe('docs/dsl.md, the DSL reference', () => {
  it('is what npm run docs:dsl generates from the schema', () => {
    const committed = readFileSync(`${root}${DSL_REFERENCE_FILE}`, 'utf8');
    expect(committed === dslReference(), 'docs/dsl.md is stale: run npm run docs:dsl').toBe(true);
  });

  it('has an entry, with an example in sight, for every key of the schema surface', () => {
    expect(dslReferenceGaps()).toEqual([]);
  });

  it('documents every trigger, step, condition, operator and file key by name', () => {
    const text = dslReference();
    for (const heading of ['`event`', '`schedule`', '`at`', '`segment`', '`wait_until`', '`split`', '`exit`', '`no_event`', '`rfm`'])
      expect(text).toContain(`### ${heading}\n`);
    for (const op of ['is', 'is_not', 'in', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'before', 'after'])
      expect(text).toContain(`#### \`${op}\` (in \`attribute\`)`);
    for (const key of [
      're_entry',
      'exit_on',
      'goal',
      'holdout',
      'migrate',
      'quiet_hours',
      'blackout',
      'frequency_caps',
      'on_conflict',
      'seasons',
    ])
      expect(text).toContain(`### \`${key}\`\n`);
    expect(text).toContain('### Durations\n');
  });

  it('is Markdown that Prettier leaves as it is', async () => {
    const config = JSON.parse(readFileSync(`${root}.prettierrc.json`, 'utf8')) as Record<string, unknown>;
    const text = dslReference();
    expect(await format(text, { ...config, parser: 'markdown' })).toBe(text);
  });
});

describe('the drift check', () => {
  const keys = referenceKeys();

  it('names a new campaign key and the file its words go in', () => {
    const surface = campaignFile.extend({ send_window: duration.optional() });
    const grown = schemaKeys(labels(entries), { campaign: surface });
    expect(referenceGaps(grown, entries)).toEqual([
      `campaign.send_window (src/dsl/compile/surface/campaign.ts) has no entry: add 'campaign.send_window': { meaning: '…', example: '…' } to ${ENTRIES} (a one-line meaning and a YAML example)`,
      'the schema surface has campaign.send_window (src/dsl/compile/surface/campaign.ts) but src/dsl/compile/vocabulary.ts campaignKeys lacks "send_window": the compiler would refuse it',
    ]);
  });

  it('names a new calendar key, and a key under it that no example shows', () => {
    const surface = calendarFile.extend({ send_windows: z.array(z.strictObject({ days: z.string(), hours: z.string() })).optional() });
    const grown = schemaKeys(labels(entries), { calendar: surface });
    const withTop = {
      ...entries,
      'calendar.send_windows': { meaning: 'Hours sends may go out.', example: 'send_windows: [ { days: MO } ]' },
    };
    expect(referenceGaps(grown, withTop)).toEqual([
      `calendar.send_windows.days (src/dsl/compile/surface/calendar.ts) has no entry: add 'calendar.send_windows.days': { meaning: '…', example: '…' } to ${ENTRIES} (a one-line meaning and a YAML example)`,
      `calendar.send_windows.hours (src/dsl/compile/surface/calendar.ts) has no entry: add 'calendar.send_windows.hours': { meaning: '…', example: '…' } to ${ENTRIES} (a one-line meaning and a YAML example)`,
    ]);
    const described = {
      ...withTop,
      'calendar.send_windows.days': { meaning: 'Days.' },
      'calendar.send_windows.hours': { meaning: 'Hours.' },
    };
    expect(referenceGaps(grown, described)).toEqual([
      `calendar.send_windows.hours (src/dsl/compile/surface/calendar.ts) appears in no example: add example: '…' to its entry in ${ENTRIES}, or show hours: in its parent's`,
    ]);
  });

  // A step or condition added to the surface must come with entries and a vocabulary word (a hypothetical `notify` step here).
  it('demands an entry and a vocabulary word for a new step and a new condition', () => {
    const key = (path: string, role: SchemaKey['role']): SchemaKey => ({
      path,
      namespace: path.split('.')[0] as SchemaKey['namespace'],
      depth: path.split('.').length - 1,
      role,
      value: 'map',
      required: false,
    });
    const gaps = referenceGaps(
      [...keys, key('step.notify', 'variant'), key('step.notify.url', 'key'), key('condition.anniversary', 'variant')],
      entries,
    );
    expect(gaps).toEqual([
      `step.notify (src/dsl/compile/surface/campaign.ts) has no entry: add 'step.notify': { meaning: '…', example: '…' } to ${ENTRIES} (a one-line meaning and a YAML example)`,
      `step.notify.url (src/dsl/compile/surface/campaign.ts) has no entry: add 'step.notify.url': { meaning: '…', example: '…' } to ${ENTRIES} (a one-line meaning and a YAML example)`,
      `condition.anniversary (src/dsl/compile/surface/condition.ts) has no entry: add 'condition.anniversary': { meaning: '…', example: '…' } to ${ENTRIES} (a one-line meaning and a YAML example)`,
      'the schema surface has step.notify (src/dsl/compile/surface/campaign.ts) but src/dsl/compile/vocabulary.ts stepKinds lacks "notify": the compiler would refuse it',
      'the schema surface has condition.anniversary (src/dsl/compile/surface/condition.ts) but src/dsl/compile/vocabulary.ts conditionHeads lacks "anniversary": the compiler would refuse it',
    ]);
  });

  it('names a word the compiler knows that the schema surface lacks', () => {
    const gaps = referenceGaps(
      keys.filter((k) => !k.path.startsWith('step.emit')),
      Object.fromEntries(Object.entries(entries).filter(([p]) => !p.startsWith('step.emit'))),
    );
    expect(gaps).toEqual([
      'src/dsl/compile/vocabulary.ts stepKinds has the step "emit" but the schema surface does not (step.emit): add it to src/dsl/compile/surface/campaign.ts — the JSON Schema and docs/dsl.md are made from it',
      'src/dsl/compile/vocabulary.ts stepSiblings.emit has the key beside emit "properties" but the schema surface does not (step.emit.properties): add it to src/dsl/compile/surface/campaign.ts — the JSON Schema and docs/dsl.md are made from it',
    ]);
  });

  it('names an entry that documents no key', () => {
    expect(referenceGaps(keys, { ...entries, 'step.wiat': { meaning: 'Pause.' } })).toEqual([
      `${ENTRIES}: the entry 'step.wiat' is for no key of the schema surface (src/dsl/compile/surface/): remove it or fix its path`,
    ]);
  });
});

describe('every example in the reference', async () => {
  const project = await readProjectFiles({ campaignsDir: `${root}campaigns`, templatesDir: `${root}templates`, displayRoot: root });
  const text = (name: string) => project.files.find((f) => f.path === `campaigns/${name}`)!.text;
  const base = { calendar: text('calendar.yaml'), segments: text('segments.yaml') };
  const surfaces: Record<string, z.ZodType> = { campaign: campaignFile, segments: segmentsFile, calendar: calendarFile };
  const examples = referenceKeys()
    .filter((k) => entries[k.path]?.example !== undefined)
    .map((k) => ({ path: k.path, example: entries[k.path]!.example!, context: contextOf(k.namespace, entries[k.path]!)! }));

  it('is there to test', () => expect(examples.length).toBeGreaterThan(70));

  it.each(examples)('$path compiles with no error or warning, and passes the JSON Schema surface', ({ example, context }) => {
    const { files, file } = exampleProject(example, context, base);
    const result = compileSources(files, project.templates);
    expect([...(result.ok ? [] : result.errors), ...result.warnings].map(formatDiagnostic)).toEqual([]);
    const surface = surfaces[file.kind]!.safeParse(parse(file.text));
    expect(surface.success ? [] : surface.error.issues).toEqual([]);
  });

  it('would catch an example that no longer compiles', () => {
    const { files } = exampleProject('- wait: 1.5h', 'steps', base);
    const result = compileSources(files, project.templates);
    expect(result.ok ? [] : result.errors.map(formatDiagnostic)).toEqual([
      'campaigns/example.yaml:5:11 wait "1.5h" is not a whole number of units — use a smaller unit, e.g. 90m instead of 1.5h',
    ]);
  });
});
