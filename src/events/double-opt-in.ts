import { currentConsent } from '../storage/consent';
import { latestCalendarPlan } from '../storage/campaign-versions';
import type { Tx } from '../storage/db';
import type { IngestEvent } from './types';

/**
 * Which of these new `consent.granted` events are double opt-in requests: their purpose is
 * declared `double_opt_in: true` in the applied calendar.yaml, and the contact's current state
 * for it is not granted already (a repeated grant of a confirmed purpose is recorded as a grant:
 * the address was proven before). Not a request: a grant Shopify reports as confirmed by its own
 * double opt-in (`opt_in_level: confirmed_opt_in`, from the signed Shopify webhook only). Each
 * request is stored as `consent.requested` with a pending ledger row; the confirmation campaign
 * mails the link, and `POST /confirm/:token` records the grant (src/http/confirm.ts).
 * Returns the indexes (into `events`) of the requests. One statement per call at most, none
 * without double opt-in purposes.
 */
export async function doubleOptInRequests(
  tx: Tx,
  events: Array<{ index: number; event: IngestEvent; contactId: number }>,
  source: string,
): Promise<Set<number>> {
  const grants = events.filter((e) => e.event.type === 'consent.granted');
  if (grants.length === 0) return new Set();
  const doi = new Set(((await latestCalendarPlan(tx))?.purposes ?? []).filter((p) => p.doubleOptIn).map((p) => p.id));
  const asked = grants.filter(
    (g) => doi.has(String(g.event.properties.purpose)) && !(source === 'shopify' && g.event.properties.opt_in_level === 'confirmed_opt_in'),
  );
  if (asked.length === 0) return new Set();
  const granted = new Set(
    (
      await currentConsent(tx, [...new Set(asked.map((g) => g.contactId))], {
        purposes: [...new Set(asked.map((g) => String(g.event.properties.purpose)))],
      })
    )
      .filter((s) => s.granted)
      .map((s) => `${s.contactId}:${s.purpose}`),
  );
  return new Set(asked.filter((g) => !granted.has(`${g.contactId}:${String(g.event.properties.purpose)}`)).map((g) => g.index));
}
