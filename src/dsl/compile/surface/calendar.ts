import { z } from 'zod';
import { condition } from './condition';
import { date, duration, name, rrule, timeOfDay, zone } from './scalars';

/** campaigns/calendar.yaml. */
export const calendarFile = z
  .strictObject({
    timezone: zone,
    quiet_hours: z.strictObject({ from: timeOfDay, to: timeOfDay }).optional(),
    blackout: z.array(z.union([z.strictObject({ date, reason: z.string() }), z.strictObject({ rrule, reason: z.string() })])).optional(),
    frequency_caps: z
      .array(z.strictObject({ purpose: name.describe('A purpose, or any.'), max: z.int().min(1), per: duration }))
      .optional(),
    on_conflict: z.enum(['defer', 'skip']).optional(),
    seasons: z.array(z.strictObject({ name: z.string(), from: date, to: date })).optional(),
    purposes: z
      .array(
        z.strictObject({
          id: name.describe('The purpose campaigns name, e.g. email.newsletter.'),
          label: z
            .union([z.string(), z.record(z.string(), z.string())])
            .describe('Shown in the preference centre: a text, or one per locale.'),
          description: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
          double_opt_in: z.boolean().optional().describe('A grant stays pending until confirmed by mail.'),
        }),
      )
      .optional()
      .describe('Consent purposes people can opt into, for the preference centre and unsubscribe page.'),
  })
  .meta({ title: 'Almanac calendar', description: 'The marketing calendar: zone, quiet hours, blackout dates, frequency caps, seasons.' });

/** campaigns/segments.yaml: segment name → condition. */
export const segmentsFile = z
  .record(name, condition)
  .meta({ title: 'Almanac segments', description: 'Named segments: each a condition over contacts, their events and consent.' });
