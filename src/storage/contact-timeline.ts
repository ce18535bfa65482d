import { contactIdByIdentifiers, identifiersOfContacts } from './identifiers';
import { and, asc, desc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from './db';
import {
  attributions,
  campaignVersions,
  clicks,
  consentRecords,
  contactMerges,
  contacts,
  customerMetrics,
  events,
  links,
  opens,
  orders,
  runs,
  segmentMemberships,
  sends,
  suppressions,
  webhookCalls,
} from './schema/index';

/**
 * The SQL of a contact's timeline (src/reports/contact-timeline.ts) and of contact search
 * (`GET /v1/contacts?q=`): one statement per kind of row, keyed by the contact's numeric id,
 * never a statement per row.
 */

/**
 * The contact named by `ref`: `#123` (the numeric id only); else the holder of the first of
 * `candidates` (what identifiersForRef reads `ref` as: a whole identifier, the application's id,
 * an email); else, for digits, the numeric id. Undefined when nobody matches.
 */
export async function contactByRef(tx: Tx, ref: string, candidates: readonly string[]) {
  const hash = /^#(\d{1,15})$/.exec(ref);
  const id = hash
    ? Number(hash[1])
    : ((await contactIdByIdentifiers(tx, candidates)) ?? (/^\d{1,15}$/.test(ref) ? Number(ref) : undefined));
  if (id === undefined) return undefined;
  const [row] = await tx.select().from(contacts).where(eq(contacts.id, id)).limit(1);
  return row;
}

/** At most this many rows of each kind are read (newest kept); the timeline says when a kind was cut. */
export const TIMELINE_ROWS_MAX = 500;

/** Everything the timeline shows about one contact, each kind in one select (newest `max` rows, returned oldest first). */
export async function readTimelineData(tx: Tx, contactId: number, addressHash: string | undefined, max = TIMELINE_ROWS_MAX) {
  const id = contactId;
  const newest = <T>(rows: T[]) => rows.reverse();
  return {
    customer: (await tx.select().from(customerMetrics).where(eq(customerMetrics.contactId, id)))[0] ?? null,
    identifiers: await identifiersOfContacts(tx, [id]),
    merges: await tx
      .select({
        id: contactMerges.id,
        mergedId: contactMerges.mergedId,
        via: contactMerges.via,
        source: contactMerges.source,
        reason: contactMerges.reason,
        mergedAt: contactMerges.mergedAt,
        revertedAt: contactMerges.revertedAt,
        mergedExternalId: sql<string | null>`${contactMerges.snapshot}->'contact'->>'external_id'`,
        mergedEmail: sql<string | null>`${contactMerges.snapshot}->'contact'->>'email'`,
        counts: sql<Record<string, number>>`${contactMerges.moved}->'counts'`,
        collapsedRuns: sql<number[]>`${contactMerges.moved}->'collapsed_runs'`,
      })
      .from(contactMerges)
      .where(eq(contactMerges.survivorId, id))
      .orderBy(asc(contactMerges.id)),
    consent: newest(
      await tx
        .select()
        .from(consentRecords)
        .where(eq(consentRecords.contactId, id))
        .orderBy(desc(consentRecords.occurredAt), desc(consentRecords.id))
        .limit(max),
    ),
    suppressions: addressHash
      ? await tx.select().from(suppressions).where(eq(suppressions.addressHash, addressHash)).orderBy(asc(suppressions.id))
      : [],
    segments: await tx
      .select({ segment: segmentMemberships.segment, enteredAt: segmentMemberships.enteredAt })
      .from(segmentMemberships)
      .where(eq(segmentMemberships.contactId, id))
      .orderBy(asc(segmentMemberships.segment)),
    events: newest(
      await tx
        .select({
          id: events.id,
          type: events.type,
          source: events.source,
          dedupeKey: events.dedupeKey,
          occurredAt: events.occurredAt,
          properties: events.properties,
        })
        .from(events)
        .where(eq(events.contactId, id))
        .orderBy(desc(events.occurredAt), desc(events.id))
        .limit(max),
    ),
    runs: newest(
      await tx
        .select({
          id: runs.id,
          campaign: runs.campaign,
          version: campaignVersions.version,
          status: runs.status,
          exitReason: runs.exitReason,
          startedAt: runs.startedAt,
          endedAt: runs.endedAt,
          nextWakeAt: runs.nextWakeAt,
          entryKey: runs.entryKey,
          correlationKey: runs.correlationKey,
          at: sql<string | null>`${runs.state}->>'at'`,
          phase: sql<string | null>`${runs.state}->>'phase'`,
          triggerType: sql<string | null>`${runs.state}->'trigger'->>'type'`,
          triggerAt: sql<string | null>`${runs.state}->'trigger'->>'occurredAt'`,
          triggerEventId: sql<
            string | number | null
          >`(select e.id from events e where e.dedupe_key = ${runs.entryKey} and e.contact_id = ${runs.contactId} limit 1)`,
        })
        .from(runs)
        .leftJoin(campaignVersions, eq(campaignVersions.id, runs.campaignVersionId))
        .where(eq(runs.contactId, id))
        .orderBy(desc(runs.startedAt), desc(runs.id))
        .limit(max),
    ),
    sends: newest(
      await tx
        .select({
          id: sends.id,
          runId: sends.runId,
          stepKey: sends.stepKey,
          campaign: sends.campaign,
          template: sends.template,
          purpose: sends.purpose,
          status: sends.status,
          reason: sends.reason,
          lastError: sends.lastError,
          attempts: sends.attempts,
          notBefore: sends.notBefore,
          createdAt: sends.createdAt,
          sentAt: sends.sentAt,
          settledAt: sends.settledAt,
        })
        .from(sends)
        .where(eq(sends.contactId, id))
        .orderBy(desc(sends.createdAt), desc(sends.id))
        .limit(max),
    ),
    // Through the run: a call has no contact column of its own.
    webhookCalls: newest(
      await tx
        .select({
          id: webhookCalls.id,
          runId: webhookCalls.runId,
          stepKey: webhookCalls.stepKey,
          url: webhookCalls.url,
          webhookId: webhookCalls.webhookId,
          status: webhookCalls.status,
          reason: webhookCalls.reason,
          lastError: webhookCalls.lastError,
          responseStatus: webhookCalls.responseStatus,
          attempts: webhookCalls.attempts,
          notBefore: webhookCalls.notBefore,
          createdAt: webhookCalls.createdAt,
          deliveredAt: webhookCalls.deliveredAt,
          settledAt: webhookCalls.settledAt,
        })
        .from(webhookCalls)
        .innerJoin(runs, eq(runs.id, webhookCalls.runId))
        .where(eq(runs.contactId, id))
        .orderBy(desc(webhookCalls.createdAt), desc(webhookCalls.id))
        .limit(max),
    ),
    clicks: newest(
      await tx
        .select({
          id: clicks.id,
          sendId: clicks.sendId,
          url: links.url,
          clickedAt: clicks.clickedAt,
          isBot: clicks.isBot,
          botReason: clicks.botReason,
        })
        .from(clicks)
        .leftJoin(links, eq(links.id, clicks.linkId))
        .where(eq(clicks.contactId, id))
        .orderBy(desc(clicks.clickedAt), desc(clicks.id))
        .limit(max),
    ),
    opens: newest(
      await tx
        .select({ id: opens.id, sendId: opens.sendId, openedAt: opens.openedAt, isBot: opens.isBot, botReason: opens.botReason })
        .from(opens)
        .where(eq(opens.contactId, id))
        .orderBy(desc(opens.openedAt), desc(opens.id))
        .limit(max),
    ),
    orders: newest(
      await tx
        .select({
          id: orders.id,
          source: orders.source,
          orderId: orders.orderId,
          checkoutId: orders.checkoutId,
          total: orders.total,
          refunded: orders.refunded,
          currency: orders.currency,
          occurredAt: orders.occurredAt,
        })
        .from(orders)
        .where(eq(orders.contactId, id))
        .orderBy(desc(orders.occurredAt), desc(orders.id))
        .limit(max),
    ),
    attributions: await tx
      .select({
        orderId: attributions.orderId,
        sendId: attributions.sendId,
        campaign: attributions.campaign,
        model: attributions.model,
        touch: attributions.touch,
        weight: attributions.weight,
        revenue: attributions.revenue,
      })
      .from(attributions)
      .where(inArray(attributions.orderId, sql`(select id from orders where contact_id = ${id})`))
      .orderBy(asc(attributions.orderId), asc(attributions.model), asc(attributions.campaign)),
  };
}

export type TimelineData = Awaited<ReturnType<typeof readTimelineData>>;

const likePrefix = (q: string) => `${q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * Contacts matching `q` — an email prefix, the exact external id, or a prefix of the
 * `first_name` / `last_name` attribute (case-insensitive) — by numeric id after `after` (the
 * keyset cursor), at most `limit + 1` rows (the extra one says there is a next page). Empty `q`: everyone.
 */
export async function searchContactRows(tx: Tx, o: { q: string; limit: number; after?: number; identifiers?: readonly string[] }) {
  const q = o.q.trim();
  const prefix = likePrefix(q);
  const matches =
    q === ''
      ? undefined
      : or(
          sql`lower(${contacts.email}) like ${prefix} escape '\\'`,
          eq(contacts.externalId, q),
          // Any identifier named whole (a Shopify customer, a phone, another system's id), or another address by prefix.
          sql`exists (select 1 from contact_identifiers i where i.contact_id = ${contacts.id} and (
            i.identifier in (select jsonb_array_elements_text(${JSON.stringify(o.identifiers ?? [])}::jsonb))
            or i.identifier like ${`email:${prefix}`} escape '\\'))`,
          sql`lower(${contacts.attributes}->>'first_name') like ${prefix} escape '\\'`,
          sql`lower(${contacts.attributes}->>'last_name') like ${prefix} escape '\\'`,
        );
  return tx
    .select({
      id: contacts.id,
      externalId: contacts.externalId,
      email: contacts.email,
      attributes: contacts.attributes,
      lifecycleStage: contacts.lifecycleStage,
      createdAt: contacts.createdAt,
    })
    .from(contacts)
    .where(and(matches, o.after === undefined ? undefined : gt(contacts.id, o.after)))
    .orderBy(asc(contacts.id))
    .limit(o.limit + 1);
}
