import { z } from 'zod';

/**
 * The YAML surface of the DSL as zod schemas, for the JSON Schema editors use
 * (src/dsl/compile/json-schema.ts). The compiler's own walk (src/dsl/compile/) is what decides and words
 * the errors; these describe the same shapes, and a test keeps the samples valid under both.
 */
export const duration = z
  .string()
  .regex(/^\d+[smhdw]$/)
  .describe('A duration: a whole number and a unit — 45s, 30m, 1h, 2d, 1w.');
export const percent = z
  .string()
  .regex(/^\d+(\.\d+)?\s*%$/)
  .describe('A percentage, e.g. 10%.');
export const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
export const eventType = name.describe('An event type, e.g. order.created.');
export const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$/)
  .describe('A local date-time without a zone, e.g. 2026-11-27T10:00.');
export const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe('A date, e.g. 2026-12-25.');
export const timeOfDay = z
  .string()
  .regex(/^\d{1,2}:\d{2}$/)
  .describe('A time of day, HH:MM, e.g. "21:00".');
export const rrule = z
  .string()
  .regex(/^FREQ=|;FREQ=/)
  .describe('An RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=TU;BYHOUR=10.');
export const zone = z.string().describe('An IANA time zone, e.g. Europe/Warsaw.');
export const zoneOrContact = z.string().describe("contact (each contact's own zone) or an IANA time zone, e.g. Europe/Warsaw.");
export const timeValue = z
  .string()
  .describe('A date (2026-01-31), a date-time with a zone (2026-01-31T10:00Z) or a relative date (30d ago).');
export const json = z.record(z.string(), z.unknown());
