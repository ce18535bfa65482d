import { z } from 'zod';
import type { Result } from '../dsl/diagnostics';
import { formatDuration } from '../dsl/walk';
import { contactFields, fieldErrors, guessed } from './fields';
import { CONSENT_REQUESTED, type FieldError, type IngestEvent, isConsentEvent } from './types';

/**
 * The one event JSON shape (DESIGN.md "Events"): the API body, each NDJSON line of `simulate`,
 * and what webhooks map into. Parsing is all-or-nothing and every error names its field
 * (`events[3].contact.email: expected an email address`).
 *
 * Decisions: unknown top-level and contact fields are rejected (a typo such as `ocurred_at` would
 * otherwise be silently lost); `contact` is required, since every event belongs to a contact and
 * every hot query is keyed by one; an invalid `contact.timezone` is a 400, not dropped, so the
 * sender learns of it (contacts without a zone fall back to the calendar's zone when sending).
 */
export const MAX_BATCH = 1000;

/**
 * How far after its receipt time an event's `occurred_at` may lie: 5 minutes, the same allowance
 * the Standard Webhooks timestamp check gives. Senders' clocks disagree a little, and that much
 * skew is tolerated; an event dated later is refused (a field error on `occurred_at`, so the
 * sender hears of its clock), because a trigger's clock starts at `occurred_at`: a future-dated
 * event would start a journey whose waits count from a time that has not come yet.
 */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * The earliest `occurred_at` an event may have: 2000-01-01T00:00:00Z. Older history (orders
 * imported for customer value, say) is fine down to it; anything before is almost always a
 * zero or unset timestamp (`0001-01-01`, the Unix epoch) that would otherwise count as a very
 * old event — refused as a field error on `occurred_at`, like a future one.
 */
export const MIN_OCCURRED_AT = new Date('2000-01-01T00:00:00Z');

const contactSchema = z
  .strictObject(
    {
      id: z
        .string({ error: 'expected a string' })
        .min(1, { error: 'expected a non-empty string' })
        .max(255, { error: 'expected at most 255 characters' }),
      ...contactFields,
    },
    { error: 'expected an object with an id, an email or identifiers' },
  )
  .partial()
  .refine((c) => c.id !== undefined || c.email !== undefined || (c.identifiers?.length ?? 0) > 0, {
    error: 'expected an id, an email or identifiers (a contact is matched by any of them)',
  });

const purpose = z
  .string({ error: 'expected a consent purpose such as email.marketing' })
  .max(100, { error: 'expected a consent purpose of at most 100 characters' })
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, {
    error: 'expected a consent purpose such as email.marketing',
  });
const optionalText = z.string({ error: 'expected a string' }).max(10_000, { error: 'expected at most 10000 characters' }).optional();
const consentProperties = z.looseObject({
  purpose,
  text: optionalText,
  text_version: optionalText,
  source: optionalText,
  ip: optionalText,
  user_agent: optionalText,
});
const amount = 'expected an amount such as 129.00';
/** ISO 4217 codes the runtime knows (Intl): an order in "EUX" cannot be reported in any currency. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const orderProperties = z.looseObject({
  order_id: z.union([z.string().min(1).max(255), z.number().int()], {
    error: 'expected the order id (a string of at most 255 characters, or a number)',
  }),
  checkout_id: z.string({ error: 'expected a string' }).optional(),
  total: z
    .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, { error: amount })], { error: amount })
    .refine((v) => Number.isNaN(Number(v)) || (Number(v) >= 0 && Number(v) < 1e12), {
      error: 'expected an amount of 0 or more (a refund is order.refunded)',
    }),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, { error: 'expected an ISO 4217 currency code such as EUR' })
    .refine((c) => !/^[A-Za-z]{3}$/.test(c) || CURRENCIES.has(c.toUpperCase()), {
      error: 'expected a known ISO 4217 currency code such as EUR or PLN',
    }),
  landing_url: z.string({ error: 'expected the URL (or path) the buyer landed on' }).max(2048).optional(),
  items: z.array(z.record(z.string(), z.unknown()), { error: 'expected an array of item objects' }).optional(),
});

const orderRef = z.union([z.string().min(1).max(255), z.number().int()], {
  error: 'expected the order id (a string of at most 255 characters, or a number)',
});
const refundProperties = z.looseObject({
  order_id: orderRef,
  amount: z
    .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, { error: amount })], { error: amount })
    .refine((v) => Number.isNaN(Number(v)) || (Number(v) > 0 && Number(v) < 1e12), { error: 'expected an amount above 0' }),
  order_source: z.string().max(100).optional(),
});
const cancelProperties = z.looseObject({ order_id: orderRef, order_source: z.string().max(100).optional() });

const eventSchema = z
  .strictObject(
    {
      id: z
        .string({ error: 'expected a string' })
        .min(1, { error: 'expected a non-empty string' })
        .max(255, { error: 'expected at most 255 characters' })
        .optional(),
      type: z
        .string({ error: 'expected an event type' })
        .max(100, { error: 'expected an event type of at most 100 characters' })
        .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, {
          error: 'expected a dotted lower-case event type such as checkout.started',
        }),
      occurred_at: z.iso
        .datetime({ offset: true, error: 'expected an ISO 8601 time with a zone, such as 2026-11-23T10:00:00Z' })
        .optional(),
      contact: contactSchema,
      properties: z.record(z.string(), z.unknown(), { error: 'expected an object' }).default({}),
    },
    { error: 'expected an event object' },
  )
  .superRefine((event, ctx) => {
    if (event.type === CONSENT_REQUESTED) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `${CONSENT_REQUESTED} is recorded by Almanac itself when a double opt-in purpose is granted; send consent.granted`,
      });
    }
    // Properties other tables need are checked here, so a bad consent or order event is a 400
    // instead of a half-applied ingest.
    const typed = isConsentEvent(event.type)
      ? consentProperties
      : event.type === 'order.created'
        ? orderProperties
        : event.type === 'order.refunded'
          ? refundProperties
          : event.type === 'order.cancelled'
            ? cancelProperties
            : undefined;
    const checked = typed?.safeParse(event.properties, { reportInput: true });
    for (const issue of checked?.success === false ? checked.error.issues : []) {
      ctx.addIssue({ ...issue, path: ['properties', ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
    }
  });

const batchSchema = z.strictObject(
  {
    events: z
      .array(eventSchema, { error: 'expected an array of events' })
      .min(1, { error: 'expected at least one event' })
      .max(MAX_BATCH, { error: `expected at most ${MAX_BATCH} events per batch` }),
  },
  { error: 'expected an object { "events": [...] }' },
);

type RawEvent = z.output<typeof eventSchema>;

export interface ParseOptions {
  /** Receipt time: `occurred_at` defaults to it, and may be at most `maxFutureSkewMs` after it. */
  now: Date;
  /** The `Idempotency-Key` (or webhook id): the dedupe key of events sent without an `id`. */
  idempotencyKey?: string;
  /**
   * How far after `now` an `occurred_at` may be (default MAX_FUTURE_SKEW_MS). `null` turns the
   * check off, for a caller whose `now` is not a receipt time: `simulate` replays history, its
   * `now` is only the default time (--from), and events after it are the simulation's future.
   */
  maxFutureSkewMs?: number | null;
}

/** One event (`POST /v1/events`). */
export function parseEvent(body: unknown, options: ParseOptions): Result<IngestEvent[], FieldError[]> {
  const parsed = eventSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { ok: false, error: fieldErrors(parsed.error) };
  return finish([parsed.data], options, false);
}

/** `{ "events": [...] }` (`POST /v1/events/batch`); item i without an id gets `${key}:${i}`. */
export function parseEventBatch(body: unknown, options: ParseOptions): Result<IngestEvent[], FieldError[]> {
  const parsed = batchSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { ok: false, error: fieldErrors(parsed.error) };
  return finish(parsed.data.events, options, true);
}

/** Either shape, told apart by a top-level `events` array (Standard Webhooks bodies). */
export function parseEventBody(body: unknown, options: ParseOptions): Result<IngestEvent[], FieldError[]> {
  const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
  return isBatch ? parseEventBatch(body, options) : parseEvent(body, options);
}

function finish(raw: RawEvent[], options: ParseOptions, batch: boolean): Result<IngestEvent[], FieldError[]> {
  const errors: FieldError[] = [];
  const maxSkew = options.maxFutureSkewMs === undefined ? MAX_FUTURE_SKEW_MS : options.maxFutureSkewMs;
  const events = raw.map((e, i): IngestEvent => {
    const key = options.idempotencyKey === undefined ? undefined : batch ? `${options.idempotencyKey}:${i}` : options.idempotencyKey;
    const dedupeKey = e.id ?? key;
    if (dedupeKey === undefined) {
      errors.push({ path: batch ? `events[${i}].id` : 'id', message: 'required unless an Idempotency-Key header is given' });
    }
    const occurredAt = e.occurred_at === undefined ? options.now : new Date(e.occurred_at);
    const ahead = occurredAt.getTime() - options.now.getTime();
    if (e.occurred_at !== undefined && maxSkew !== null && ahead > maxSkew) {
      errors.push({ path: batch ? `events[${i}].occurred_at` : 'occurred_at', message: futureMessage(e.occurred_at, ahead, maxSkew) });
    }
    if (occurredAt < MIN_OCCURRED_AT) {
      errors.push({
        path: batch ? `events[${i}].occurred_at` : 'occurred_at',
        message: `${e.occurred_at} is before 2000-01-01T00:00:00Z, the earliest time an event may have (a zero or unset timestamp?)`,
      });
    }
    const c = e.contact;
    return {
      dedupeKey: dedupeKey ?? '',
      type: e.type,
      occurredAt,
      contact: {
        ...(c.id !== undefined && { externalId: c.id }),
        ...(c.email !== undefined && { email: c.email }),
        ...guessed(c),
        ...(c.attributes !== undefined && { attributes: c.attributes }),
        ...(c.lifecycle_stage !== undefined && { lifecycleStage: c.lifecycle_stage }),
        ...(c.identifiers !== undefined && c.identifiers.length > 0 && { identifiers: c.identifiers }),
      },
      properties: e.properties,
    };
  });
  return errors.length ? { ok: false, error: errors } : { ok: true, value: events };
}

/** `2026-11-23T12:00:00Z is 2h in the future (more than 5 minutes after it was received); …` */
function futureMessage(sent: string, aheadMs: number, maxSkewMs: number): string {
  // Whole seconds under an hour (5m30s), whole minutes above (2h, 1d3h20m): enough to spot the clock.
  const shown = formatDuration(aheadMs - (aheadMs % (aheadMs < 3_600_000 ? 1_000 : 60_000)));
  const limit = maxSkewMs % 60_000 === 0 ? `${maxSkewMs / 60_000} minute${maxSkewMs === 60_000 ? '' : 's'}` : formatDuration(maxSkewMs);
  return `${sent} is ${shown} in the future (more than ${limit} after it was received); send the time the event happened`;
}
