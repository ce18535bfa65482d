import { gdprRef } from '../contacts/identifiers';
import type { Database } from '../storage/db';
import { contactJson } from '../contacts/json';
import { type ContactData, contactByRef, readContactData } from '../storage/gdpr';
import { hashAddress } from './address-hash';

/**
 * GDPR export (`GET /v1/contacts/:id/export`, `almanac contact export ID`): everything Almanac
 * holds about one person, found by external id, as plain JSON — the profile, their identifiers,
 * events, consent ledger, runs, sends, webhook calls, clicks, opens, orders, segment memberships, the
 * suppressions of their address (matched by its HMAC) and the outbox messages addressed to them.
 * Read-only: one read transaction, nothing written. Ids are JSON numbers (bigints below 2^53) or
 * the exact strings stored (Shopify ids); times are ISO 8601 UTC. Deliberately no "exported at"
 * stamp: the same data gives the same bytes, however it is asked for (local or through a server).
 * Undefined when no contact has this external id.
 */
export async function exportContact(
  database: Database,
  externalId: string,
  o: { suppressionKey: string },
): Promise<ContactExport | undefined> {
  return database.db.transaction(async (tx) => {
    const contact = await contactByRef(tx, gdprRef(externalId));
    if (!contact) return undefined;
    const hash = contact.email ? hashAddress(contact.email, o.suppressionKey) : undefined;
    return exportJson(contact, await readContactData(tx, contact, hash));
  });
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

type ContactRow = NonNullable<Awaited<ReturnType<typeof contactByRef>>>;

function exportJson(c: ContactRow, d: ContactData) {
  return {
    contact: contactJson(c),
    // Every name the person is known by (src/contacts/identifiers.ts), with who told us and when;
    // the id and address columns too when no identifier row names them (a contact written by SQL).
    identifiers: [
      { kind: 'contact_id', value: c.id },
      ...d.identifiers.map((i) => ({ kind: i.kind, value: i.identifier, source: i.source, since: iso(i.createdAt) })),
      ...(c.externalId === null || d.identifiers.some((i) => i.identifier === `external:app:${c.externalId}`)
        ? []
        : [{ kind: 'external_id', value: c.externalId }]),
      ...(c.email === null || d.identifiers.some((i) => i.identifier === `email:${c.email}`) ? [] : [{ kind: 'email', value: c.email }]),
    ],
    /** Contacts merged into this one, with the merged contact's row and identifiers as they were. */
    merges: d.merges.map((m) => ({
      id: m.id,
      merged_contact_id: m.mergedId,
      via: m.via,
      source: m.source,
      reason: m.reason,
      merged_at: iso(m.mergedAt),
      reverted_at: iso(m.revertedAt),
      merged_contact: m.snapshot.contact ?? null,
      merged_identifiers: m.snapshot.identifiers ?? [],
    })),
    events: d.events.map((e) => ({
      id: e.id,
      dedupe_key: e.dedupeKey,
      type: e.type,
      source: e.source,
      occurred_at: iso(e.occurredAt),
      received_at: iso(e.receivedAt),
      processed_at: iso(e.processedAt),
      properties: e.properties,
    })),
    consent: d.consent.map((r) => ({
      id: r.id,
      purpose: r.purpose,
      granted: r.granted,
      text: r.text,
      text_version: r.textVersion,
      source: r.source,
      ip: r.ip,
      user_agent: r.userAgent,
      event_id: r.eventId,
      pending: r.pending,
      confirms: r.confirms,
      occurred_at: iso(r.occurredAt),
      recorded_at: iso(r.recordedAt),
    })),
    runs: d.runs.map((r) => ({
      id: r.id,
      campaign: r.campaign,
      campaign_version_id: r.campaignVersionId,
      entry_key: r.entryKey,
      correlation_key: r.correlationKey,
      status: r.status,
      exit_reason: r.exitReason,
      started_at: iso(r.startedAt),
      ended_at: iso(r.endedAt),
      next_wake_at: iso(r.nextWakeAt),
      state: r.state,
    })),
    sends: d.sends.map((s) => ({
      id: s.id,
      run_id: s.runId,
      campaign: s.campaign,
      campaign_version_id: s.campaignVersionId,
      step_key: s.stepKey,
      template: s.template,
      purpose: s.purpose,
      status: s.status,
      reason: s.reason,
      attempts: s.attempts,
      provider_message_id: s.providerMessageId,
      created_at: iso(s.createdAt),
      not_before: iso(s.notBefore),
      sent_at: iso(s.sentAt),
      settled_at: iso(s.settledAt),
      payload: s.payload,
    })),
    /** The `webhook` steps' calls made about the person, with the body as it was sent (it may hold their data). */
    webhook_calls: d.webhookCalls.map((w) => ({
      id: w.id,
      run_id: w.runId,
      campaign: w.campaign,
      step_key: w.stepKey,
      url: w.url,
      webhook_id: w.webhookId,
      status: w.status,
      reason: w.reason,
      attempts: w.attempts,
      response_status: w.responseStatus,
      created_at: iso(w.createdAt),
      delivered_at: iso(w.deliveredAt),
      settled_at: iso(w.settledAt),
      body: w.body,
    })),
    clicks: d.clicks.map((k) => ({
      id: k.id,
      send_id: k.sendId,
      link_id: k.linkId,
      clicked_at: iso(k.clickedAt),
      ip: k.ip,
      user_agent: k.userAgent,
      is_bot: k.isBot,
    })),
    opens: d.opens.map((o) => ({
      id: o.id,
      send_id: o.sendId,
      opened_at: iso(o.openedAt),
      ip: o.ip,
      user_agent: o.userAgent,
      is_bot: o.isBot,
    })),
    orders: d.orders.map((o) => ({
      id: o.id,
      source: o.source,
      order_id: o.orderId,
      checkout_id: o.checkoutId,
      total: o.total,
      currency: o.currency,
      items: o.items,
      occurred_at: iso(o.occurredAt),
    })),
    /** What customer analytics derived (stage, RFM, value, predictions): README "Customer analytics". */
    customer: d.customer && {
      stage: d.customer.stage,
      stage_since: iso(d.customer.stageSince),
      orders: d.customer.orders,
      revenue: d.customer.revenue,
      first_order_at: iso(d.customer.firstOrderAt),
      last_order_at: iso(d.customer.lastOrderAt),
      rfm: d.customer.rfm,
      r: d.customer.r,
      f: d.customer.f,
      m: d.customer.m,
      value: d.customer.value,
      predicted: d.customer.predicted,
      computed_at: iso(d.customer.computedAt),
    },
    segments: d.segments.map((m) => ({ segment: m.segment, entered_at: iso(m.enteredAt) })),
    suppressions: d.suppressions.map((s) => ({ reason: s.reason, scope: s.scope, source: s.source, created_at: iso(s.createdAt) })),
    outbox: d.outbox.map((m) => ({
      id: m.id,
      send_id: m.sendId,
      message_id: m.messageId,
      to: m.to,
      from: m.from,
      subject: m.subject,
      created_at: iso(m.createdAt),
      raw: m.raw,
    })),
  };
}

export type ContactExport = ReturnType<typeof exportJson>;
