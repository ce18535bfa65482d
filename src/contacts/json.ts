import type { ContactRow } from '../storage/contacts';

/** A contact as the API shows it (`PUT /v1/contacts/:id`, and the `contact` of a GDPR export). */
export function contactJson(c: ContactRow) {
  return {
    id: c.externalId,
    contact_id: c.id,
    email: c.email,
    timezone: c.timezone,
    /** explicit (stated), address (guessed from an address), null (none: the calendar's zone applies). */
    timezone_source: c.timezoneSource,
    locale: c.locale,
    locale_source: c.localeSource,
    attributes: c.attributes,
    lifecycle_stage: c.lifecycleStage,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}
