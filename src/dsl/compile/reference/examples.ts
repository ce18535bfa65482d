import { parse } from 'yaml';
import type { Entry, ExampleContext } from './entry';
import type { Namespace } from './schema-keys';

/** The files an example is compiled with: the project's own calendar.yaml and segments.yaml (texts). */
export interface ExampleBase {
  calendar: string;
  segments: string;
}

/** One example made into a project: the files to compile, and the one the example is in (with its kind, for the zod surface). */
export interface ExampleProject {
  files: Array<{ path: string; text: string }>;
  file: { path: string; text: string; kind: 'campaign' | 'segments' | 'calendar' };
}

const defaults: Partial<Record<Namespace, ExampleContext>> = {
  campaign: 'campaign',
  trigger: 'campaign',
  step: 'steps',
  condition: 'audience',
  segments: 'segments',
  calendar: 'calendar',
};

/** Where an entry's example goes: its own `in`, else its section's default (value types must say). */
export const contextOf = (namespace: Namespace, entry: Entry): ExampleContext | undefined => entry.in ?? defaults[namespace];

/** What a campaign fragment lacks of the required keys is filled in with these. */
const campaignHead: Record<string, string> = {
  campaign: 'campaign: example',
  purpose: 'purpose: email.marketing',
  trigger: 'trigger: { event: checkout.started }',
  steps: 'steps:\n  - send: cart-reminder',
};

/** A campaign double opt-in needs (src/dsl/compile/cross.ts), beside calendar examples. */
const confirmation =
  'campaign: confirm\npurpose: email.transactional\ntrigger: { event: consent.requested }\nsteps:\n  - send: consent-confirm\n';

const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');
const topKeys = (text: string): Record<string, unknown> => {
  const doc = parse(text) as unknown;
  return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
};

function campaign(fragment: string): ExampleProject['file'] {
  const given = topKeys(fragment);
  const id = typeof given.campaign === 'string' ? given.campaign : 'example';
  const head = Object.entries(campaignHead)
    .filter(([k]) => !(k in given))
    .map(([, line]) => line);
  return { path: `campaigns/${id}.yaml`, text: `${[...head, fragment].join('\n')}\n`, kind: 'campaign' };
}

/** An example in a project of its own: the project's calendar and segments, the example's file in `context` (tests/dsl/reference.test.ts compiles it). */
export function exampleProject(example: string, context: ExampleContext, base: ExampleBase): ExampleProject {
  const file: ExampleProject['file'] =
    context === 'campaign'
      ? campaign(example)
      : context === 'steps'
        ? campaign(`steps:\n${indent(example)}`)
        : context === 'audience'
          ? campaign(`audience:\n${indent(example)}`)
          : context === 'segments'
            ? { path: 'campaigns/segments.yaml', text: `${example}\n`, kind: 'segments' }
            : {
                path: 'campaigns/calendar.yaml',
                text: `${'timezone' in topKeys(example) ? '' : 'timezone: Europe/Warsaw\n'}${example}\n`,
                kind: 'calendar',
              };
  const files = [
    file,
    ...(file.path === 'campaigns/calendar.yaml' ? [] : [{ path: 'campaigns/calendar.yaml', text: base.calendar }]),
    ...(file.path === 'campaigns/segments.yaml' ? [] : [{ path: 'campaigns/segments.yaml', text: base.segments }]),
    ...(context === 'calendar' ? [{ path: 'campaigns/confirm.yaml', text: confirmation }] : []),
  ];
  return { files: files.map(({ path, text }) => ({ path, text })), file };
}
