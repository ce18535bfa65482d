import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { hashAddress } from '../../../src/consent/address-hash';
import { currentConsent } from '../../../src/storage/consent';
import { rowsOf } from '../../../src/storage/sql-values';
import { useTestDatabase } from '../../helpers/db';
import { fakeTransport, queueOne, resetTables, sendRow, testDispatcher } from '../../scheduler/dispatch/fixtures';
import {
  CERT_PEM,
  CERT_URL,
  SUPPRESSION_KEY,
  bounce,
  complaint,
  counts,
  delivery,
  newCacheDir,
  notification,
  post,
  sesApp,
} from './support';

const t = useTestDatabase('ses_feedback');
const now = new Date('2026-11-24T10:00:00Z');

beforeEach(async () => {
  await resetTables(t.database);
  await t.database.db.execute(sql`truncate transient_bounces, webhook_receipts, events restart identity cascade`);
});

const app = () => sesApp(t.database, { cacheDir: newCacheDir({ seed: { [CERT_URL]: CERT_PEM } }), now: () => now }).app;
const deliver = async (message: unknown) => {
  const res = await app().request('/webhooks/ses', post(notification(message)));
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
};
const suppressionOf = async (email: string) =>
  rowsOf<{ reason: string; scope: string; source: string }>(
    await t.database.db.execute(
      sql`select reason, scope, source from suppressions where address_hash = ${hashAddress(email, SUPPRESSION_KEY)}`,
    ),
  )[0];
const eventsOf = async (contactId: number) =>
  rowsOf<{ type: string; dedupe_key: string; properties: Record<string, unknown>; source: string }>(
    await t.database.db.execute(sql`select type, dedupe_key, properties, source from events where contact_id = ${contactId} order by id`),
  );
const sentTransport = () => fakeTransport(() => ({ status: 'sent', providerMessageId: 'ses-1' }));

describe('bounces', () => {
  it('a permanent bounce suppresses the address: the dispatcher then suppresses a queued send to it', async () => {
    const bounced = await queueOne(t.database, { notBefore: now, email: 'ada@example.com' });
    expect(await deliver(bounce('Ada@Example.com', 'Permanent', { sendId: bounced.sendId, eventPublishing: true }))).toMatchObject({
      kind: 'bounce',
      suppressed: 1,
      events: 1,
    });
    expect(await suppressionOf('ada@example.com')).toEqual({ reason: 'bounce: Permanent/General', scope: 'all', source: 'ses' });
    const [event] = await eventsOf(bounced.contactId);
    expect(event).toMatchObject({
      type: 'email.bounced',
      source: 'ses',
      properties: { send_id: bounced.sendId, campaign: 'welcome', template: 'hello', bounce_type: 'Permanent', bounce_subtype: 'General' },
    });
    expect(event!.dedupe_key).toMatch(/^ses:/);

    const { transport, calls } = sentTransport();
    const { phase } = testDispatcher(t.database, transport);
    await phase.run(now);
    expect(calls).toHaveLength(0);
    expect(await sendRow(t.database, bounced.sendId)).toMatchObject({
      status: 'suppressed',
      reason: 'address is suppressed: bounce: Permanent/General',
    });
  });

  it('transient bounces suppress only the third time within the window', async () => {
    const queued = await queueOne(t.database, { notBefore: now, email: 'grace@example.com' });
    for (let i = 1; i <= 2; i++) expect(await deliver(bounce('grace@example.com', 'Transient'))).toMatchObject({ suppressed: 0 });
    expect(await suppressionOf('grace@example.com')).toBeUndefined();
    expect(await deliver(bounce('grace@example.com', 'Transient'))).toMatchObject({ suppressed: 1 });
    expect(await suppressionOf('grace@example.com')).toMatchObject({ scope: 'all', reason: 'bounce: 3 transient bounces within 7 days' });
    // Identity notifications without tags still reach the contact holding the address.
    expect((await eventsOf(queued.contactId)).map((e) => e.properties.bounce_type)).toEqual(['Transient', 'Transient', 'Transient']);
  });

  it('transient bounces older than the window do not count', async () => {
    const early = sesApp(t.database, { cacheDir: newCacheDir({ seed: { [CERT_URL]: CERT_PEM } }), now: () => now });
    const message = (at: string) => {
      const b = bounce('lin@example.com', 'Transient');
      return { ...b, bounce: { ...b.bounce, timestamp: at } };
    };
    for (const at of ['2026-11-10T10:00:00Z', '2026-11-11T10:00:00Z', '2026-11-24T09:00:00Z']) {
      expect((await early.app.request('/webhooks/ses', post(notification(message(at))))).status).toBe(200);
    }
    expect(await suppressionOf('lin@example.com')).toBeUndefined();
  });

  it('a bounce for an address no contact holds suppresses it and creates no contact', async () => {
    expect(await deliver(bounce('stranger@example.com', 'Permanent'))).toMatchObject({ suppressed: 1, events: 0 });
    expect(await counts(t.database)).toMatchObject({ contacts: 0, events: 0, suppressions: 1 });
  });
});

describe('complaints', () => {
  it.each([
    ['an identity notification', false],
    ['configuration-set event publishing', true],
  ])(
    'from %s: marketing consent withdrawn (source complaint), the address suppressed for marketing only',
    async (_form, eventPublishing) => {
      const marketing = await queueOne(t.database, { notBefore: now, email: 'ada@example.com' });
      const complained = { sendId: marketing.sendId, eventPublishing };
      expect(await deliver(complaint('ada@example.com', complained))).toMatchObject({ kind: 'complaint', withdrawn: 1, events: 1 });

      const [state] = await currentConsent(t.database.db, [marketing.contactId], { purposes: ['email.marketing'] });
      expect(state).toMatchObject({ granted: false, source: 'complaint' });
      expect(await suppressionOf('ada@example.com')).toEqual({ reason: 'complaint: abuse', scope: 'marketing', source: 'ses' });
      expect((await eventsOf(marketing.contactId)).map((e) => e.type)).toEqual(['email.complained']);

      // Marketing to the address stops; a receipt to it still goes.
      const receipt = await queueOne(t.database, {
        notBefore: now,
        email: null,
        purpose: 'email.transactional',
        campaign: 'receipts',
        consent: false,
      });
      await t.database.db.execute(sql`update contacts set email = 'ADA@example.com' where id = ${receipt.contactId}`);
      const { transport, calls } = sentTransport();
      await testDispatcher(t.database, transport).phase.run(now);
      expect((await sendRow(t.database, marketing.sendId)).status).toBe('suppressed');
      expect((await sendRow(t.database, receipt.sendId)).status).toBe('sent');
      expect(calls.map((m) => m.to)).toEqual(['ADA@example.com']);
    },
  );

  it('a hard bounce after a complaint widens the suppression to every purpose', async () => {
    await deliver(complaint('ada@example.com'));
    await deliver(bounce('ada@example.com', 'Permanent'));
    expect(await suppressionOf('ada@example.com')).toMatchObject({ scope: 'all', reason: 'bounce: Permanent/General' });
    await deliver(complaint('ada@example.com'));
    expect(await suppressionOf('ada@example.com')).toMatchObject({ scope: 'all' });
  });
});

describe('deliveries, rejects and rendering failures settle the send', () => {
  async function unknownSend(email: string) {
    const queued = await queueOne(t.database, { notBefore: now, email });
    const { transport } = fakeTransport(() => ({ status: 'unknown', error: 'socket hang up after the request was sent' }));
    await testDispatcher(t.database, transport).phase.run(now);
    expect((await sendRow(t.database, queued.sendId)).status).toBe('unknown');
    return queued;
  }

  it('a delivery settles an unknown send as sent, once, and never sends it again', async () => {
    const queued = await unknownSend('ada@example.com');
    const body = notification(delivery('ada@example.com', { sendId: queued.sendId, eventPublishing: true, messageId: 'ses-77' }));
    const res = await app().request('/webhooks/ses', post(body));
    expect(await res.json()).toMatchObject({ kind: 'delivery', settled: { sendId: queued.sendId, status: 'sent' }, events: 1 });
    const row = await sendRow(t.database, queued.sendId);
    expect(row).toMatchObject({ status: 'sent', provider_message_id: 'ses-77', sent_at: '2026-11-24T09:59:10+00:00' });
    const [event] = await eventsOf(queued.contactId);
    expect(event).toMatchObject({ type: 'email.delivered', properties: { send_id: queued.sendId, ses_message_id: 'ses-77' } });

    expect(await (await app().request('/webhooks/ses', post(body))).json()).toEqual({ duplicate: true });
    const { transport, calls } = sentTransport();
    await testDispatcher(t.database, transport).phase.run(new Date(now.getTime() + 3_600_000));
    expect(calls).toHaveLength(0);
    expect(await counts(t.database)).toMatchObject({ events: 1, receipts: 1 });
  });

  it('a delivery of a send already sent changes nothing but records the event', async () => {
    const queued = await queueOne(t.database, { notBefore: now, email: 'ada@example.com' });
    await testDispatcher(t.database, sentTransport().transport).phase.run(now);
    const before = await sendRow(t.database, queued.sendId);
    expect(await deliver(delivery('ada@example.com', { messageId: 'ses-1' }))).toMatchObject({ events: 1 });
    expect(await sendRow(t.database, queued.sendId)).toEqual(before);
    expect((await eventsOf(queued.contactId))[0]).toMatchObject({ type: 'email.delivered', properties: { send_id: queued.sendId } });
  });

  it.each([
    ['Reject', { reject: { reason: 'Bad content' } }, 'rejected by SES: Bad content'],
    [
      'Rendering Failure',
      { failure: { errorMessage: 'Attribute name is missing', templateName: 'hello' } },
      'SES rendering failure: Attribute name is missing',
    ],
  ])('%s marks an unknown send failed with the reason, never resent', async (eventType, detail, reason) => {
    const queued = await unknownSend('ada@example.com');
    const message = { eventType, ...detail, mail: { messageId: 'ses-9', tags: { send_id: [String(queued.sendId)] } } };
    expect(await deliver(message)).toMatchObject({ settled: { sendId: queued.sendId, status: 'failed' } });
    expect(await sendRow(t.database, queued.sendId)).toMatchObject({ status: 'failed', reason });
  });

  it('a malformed Bounce from SNS is a 400 and records nothing', async () => {
    const res = await app().request('/webhooks/ses', post(notification({ notificationType: 'Bounce', mail: { messageId: 'x' } })));
    expect(res.status).toBe(400);
    expect(await counts(t.database)).toMatchObject({ receipts: 0, events: 0, suppressions: 0 });
  });
});

describe('notifications PostgreSQL cannot store', () => {
  it('a NUL or a lone surrogate anywhere in the SES message is refused before anything is written (found by the fuzz test)', async () => {
    const { parseSesNotification } = await import('../../../src/sending/feedback/ses-notification');
    const complaint = (address: string) =>
      JSON.stringify({
        notificationType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: address }], timestamp: '2026-11-24T09:59:40.000Z', feedbackId: 'fb-5' },
        mail: { timestamp: '2026-11-24T09:59:00.000Z', messageId: '0100019a-ses-6', destination: ['fuzz@example.com'] },
      });
    expect(parseSesNotification(complaint('trailing\u0000'))).toMatchObject({ ok: false, problem: expect.stringContaining('NUL') });
    expect(parseSesNotification(complaint('lone\ud800@example.com'))).toMatchObject({ ok: false });
    expect(parseSesNotification(complaint('fine@example.com'))).toMatchObject({ ok: true });
  });
});
