import { z } from 'zod';
import { duration, eventType, json, name, timeValue } from './scalars';
import { RFM_CELLS } from '../../../analytics/rfm';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const count = z.union([
  z.int().min(0).describe('At least this many.'),
  z.strictObject({ gte: z.int().min(0) }),
  z.strictObject({ gt: z.int().min(0) }),
  z.strictObject({ lte: z.int().min(0) }),
  z.strictObject({ lt: z.int().min(0) }),
  z.strictObject({ is: z.int().min(0) }),
]);

/** A condition: one head key per map (see src/dsl/condition.ts). */
export const condition: z.ZodType<unknown> = z
  .lazy(() =>
    z.union([
      z.strictObject({ all: z.array(condition).min(1) }),
      z.strictObject({ any: z.array(condition).min(1) }),
      z.strictObject({ not: condition }),
      z.strictObject({
        attribute: z
          .string()
          .describe('email, external_id, timezone, locale, lifecycle_stage, created_at; trigger.X / cart.X; attributes.X or X.'),
        is: scalar.optional(),
        is_not: scalar.optional(),
        in: z.array(scalar).min(1).optional(),
        gt: z.number().optional(),
        gte: z.number().optional(),
        lt: z.number().optional(),
        lte: z.number().optional(),
        contains: z.union([z.string(), z.number()]).optional(),
        exists: z.boolean().optional(),
        before: timeValue.optional(),
        after: timeValue.optional(),
        anniversary: z
          .union([z.literal('today'), z.strictObject({ within: duration })])
          .describe(
            "The date's month and day, year ignored, fall today (or within the next N days, today included) on the contact's calendar; 29 February counts on 28 February in other years.",
          )
          .optional(),
      }),
      z.strictObject({ event: eventType, count: count.optional(), within: duration.optional(), where: condition.optional() }),
      z.strictObject({ no_event: eventType, within: duration.optional(), where: condition.optional() }),
      z.strictObject({ consent: name.describe('A consent purpose, e.g. email.marketing.') }),
      z.strictObject({ lifecycle: z.union([z.string(), z.array(z.string()).min(1)]) }),
      z.strictObject({ rfm: z.union([z.enum(RFM_CELLS), z.array(z.enum(RFM_CELLS)).min(1)]) }),
      z.strictObject({ segment: name.describe('A segment named in segments.yaml.') }),
    ]),
  )
  .meta({ id: 'condition', description: 'A condition: all / any / not, attribute, event, no_event, consent, lifecycle or segment.' });

export { json };
