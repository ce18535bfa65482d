import type { ContactUpsert } from '../storage/contacts';

/** A contact as an event carries it: exactly what a contact upsert may set. */
export type ContactInput = ContactUpsert;

/**
 * The parsed, trusted form of an event (DESIGN.md "Events"). Made only by the parsers in this
 * folder (src/events/schema.ts for our JSON shape, src/events/shopify.ts for Shopify webhooks);
 * `ingestEvents` takes nothing else, so storage never sees unvalidated input.
 */
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

export { CONSENT_REQUESTED } from '../dsl/plan';
