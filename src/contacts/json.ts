import type { ContactRow } from '../storage/contacts';

/** A contact as the API shows it (`PUT /v1/contacts/:id`, and the `contact` of a GDPR export). */
export function contactJson(c: ContactRow) {
  return {
    id: c.externalId,
    contact_id: c.id,
    email: c.email,
    timezone: c.timezone,
    /** explicit (stated), address (guessed from an address), default (none known: the calendar's zone applies). */
    timezone_source: c.timezoneSource ?? 'default',
    locale: c.locale,
    /** explicit, accept_language (the browser's), address (the country's language), default (none: templates' default language). */
    locale_source: c.localeSource ?? 'default',
    attributes: c.attributes,
    lifecycle_stage: c.lifecycleStage,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}
