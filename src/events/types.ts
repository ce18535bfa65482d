/**
 * The parsed, trusted form of an event (DESIGN.md "Events"). Made only by the parsers in this
 * folder (src/events/schema.ts for our JSON shape, src/events/shopify.ts for Shopify webhooks);
 * `ingestEvents` takes nothing else, so storage never sees unvalidated input.
 */
export interface ContactInput {
  /** The shop's id for the contact (`contact.id` in the JSON shape); matched first. */
  externalId?: string;
  /** Lower-cased; matched when no external id matches. */
  email?: string;
  /** A valid IANA zone; absent means "leave the stored zone as it is". */
  timezone?: string;
  locale?: string;
  /** Merged into the stored attributes (jsonb `||`: top-level keys replace, others stay). */
  attributes?: Record<string, unknown>;
  lifecycleStage?: string;
}

export interface IngestEvent {
  /** `id`, or derived from the Idempotency-Key / webhook id; unique in `events`. */
  dedupeKey: string;
  type: string;
  occurredAt: Date;
  contact: ContactInput;
  properties: Record<string, unknown>;
}

/** One problem with the input, at a field path such as `events[3].contact.email`. */
export interface FieldError {
  path: string;
  message: string;
}

export const formatFieldError = (e: FieldError): string => `${e.path}: ${e.message}`;

/** Event types whose properties land in other tables too (the consent ledger, orders). */
export const consentEventTypes = { 'consent.granted': true, 'consent.withdrawn': false } as const;
export type ConsentEventType = keyof typeof consentEventTypes;
export const isConsentEvent = (type: string): type is ConsentEventType => type in consentEventTypes;
