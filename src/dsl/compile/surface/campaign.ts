import { z } from 'zod';
import { condition } from './condition';
import { duration, eventType, json, localDateTime, name, percent, rrule, zoneOrContact } from './scalars';

const id = { id: name.optional().describe('A stable key for this step, kept across edits.') };

export const step: z.ZodType<unknown> = z
  .lazy(() => {
    const steps = z.array(step);
    return z.union([
      z.literal('exit'),
      z.strictObject({ ...id, wait: duration }),
      z.strictObject({
        ...id,
        wait_until: z.strictObject({ event: eventType, timeout: duration, where: condition.optional() }),
        on_timeout: steps.optional(),
      }),
      z.strictObject({
        ...id,
        send: name.describe('A template folder under templates/.'),
        subject: z.string().optional(),
        data: json.optional(),
      }),
      z.strictObject({
        ...id,
        branch: z.array(z.union([z.strictObject({ when: condition, steps }), z.strictObject({ otherwise: steps })])).min(1),
      }),
      z.strictObject({
        ...id,
        split: z.record(z.string(), z.union([steps, percent, z.strictObject({ percent: percent.optional(), steps: steps.optional() })])),
      }),
      z.strictObject({ ...id, update: json }),
      z.strictObject({ ...id, emit: eventType, properties: json.optional() }),
      z.strictObject({
        ...id,
        webhook: z.strictObject({
          url: z.url().describe('https:// (http only to localhost); not a template. A host of WEBHOOK_ALLOWED_HOSTS when set.'),
          body: z
            .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
            .optional()
            .describe('JSON sent as the request body; its strings are handlebars over what templates see (contact, trigger, cart…).'),
          secret: z
            .string()
            .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
            .optional()
            .describe('The NAME of a secret in WEBHOOK_SECRETS (default WEBHOOK_SECRET) — never the secret itself.'),
          gate: z
            .strictObject({ consent: z.boolean().optional(), quiet_hours: z.boolean().optional(), blackout: z.boolean().optional() })
            .optional()
            .describe('What holds or stops the call; default all true for a marketing purpose, all false for email.transactional.'),
        }),
      }),
      z.strictObject({ ...id, exit: z.literal(true).nullable() }),
    ]);
  })
  .meta({ id: 'step', description: 'One step: wait, wait_until, send, branch, split, update, emit, webhook or exit.' });

const trigger = z.union([
  z.strictObject({
    event: eventType,
    where: condition.optional(),
    correlate: z.string().optional(),
    within: z
      .union([duration, z.literal('any')])
      .optional()
      .describe('The oldest a triggering event may be when it arrives and still start a run (default 24h); any: no limit.'),
  }),
  z.strictObject({
    schedule: z.strictObject({
      rrule,
      timezone: zoneOrContact.optional(),
      start: localDateTime.optional(),
      until: localDateTime.optional(),
    }),
  }),
  z.strictObject({ at: localDateTime, timezone: zoneOrContact.optional() }),
  z.strictObject({ segment: z.union([z.strictObject({ enters: name }), z.strictObject({ leaves: name })]) }),
]);

/** One campaigns/NAME.yaml file. */
export const campaignFile = z
  .strictObject({
    campaign: name.describe('The campaign id; must equal the file name.'),
    name: z.string().optional(),
    purpose: name.describe('Consent purpose checked before every send, e.g. email.marketing.'),
    priority: z.int().min(0).max(100).optional().describe('0–100: decides frequency-cap conflicts (default 50).'),
    trigger,
    audience: condition.optional(),
    re_entry: z.union([z.enum(['never', 'always']), z.strictObject({ after: duration })]).optional(),
    exit_on: z.array(z.strictObject({ event: eventType, where: condition.optional() })).optional(),
    goal: z
      .strictObject({ event: eventType, attribution: z.strictObject({ click: duration.optional(), open: duration.optional() }).optional() })
      .optional(),
    holdout: percent.optional(),
    migrate: z.boolean().optional(),
    utm: z
      .strictObject({
        source: z.string().optional(),
        medium: z.string().optional(),
        campaign: z.string().optional(),
        content: z.string().optional(),
      })
      .optional()
      .describe('UTM pairs of tracked links (default utm_source=almanac, utm_medium=email, utm_campaign=the campaign id).'),
    steps: z.array(step).min(1),
  })
  .meta({ title: 'Almanac campaign', description: 'One campaign per file: campaigns/NAME.yaml.' });
