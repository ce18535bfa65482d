import { z } from 'zod';
import { calendarFile, segmentsFile } from './surface/calendar';
import { campaignFile } from './surface/campaign';

export const schemaKinds = ['campaign', 'segments', 'calendar'] as const;
export type SchemaKind = (typeof schemaKinds)[number];

const surfaces = { campaign: campaignFile, segments: segmentsFile, calendar: calendarFile } as const;

/**
 * JSON Schema (draft-07, which yaml-language-server and most editors read) for one kind of
 * campaign file, generated from the zod description of the YAML surface. The committed copies in
 * schemas/ are checked against this by a test; regenerate with `almanac schema KIND > schemas/KIND.schema.json`.
 */
export function jsonSchema(kind: SchemaKind): Record<string, unknown> {
  return z.toJSONSchema(surfaces[kind], { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
}

/** The text written to schemas/KIND.schema.json. */
export const jsonSchemaText = (kind: SchemaKind): string => `${JSON.stringify(jsonSchema(kind), null, 2)}\n`;
