import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { hashAddress } from '../../../src/consent/address-hash';
import { outboxRoutes } from '../../../src/http/outbox';
import { createRenderer } from '../../../src/render/renderer-files';
import { createOutboxTransport } from '../../../src/sending/outbox';
import { rowsOf } from '../../../src/storage/sql-values';
import { consentRecords, outboxMessages, suppressions } from '../../../src/storage/schema/index';
import { useTestDatabase } from '../../helpers/db';
import {
  attemptsOf,
  queueOne,
  fakeTransport,
  queueSends,
  resetTables,
  sampleTemplatesDir,
  SUPPRESSION_KEY,
  sendRow,
  testDispatcher,
} from './fixtures';

const t = useTestDatabase('sending_dispatch');
const now = new Date('2026-11-24T10:00:00Z');
const sent = () => fakeTransport(() => ({ status: 'sent', providerMessageId: 'p-1' }));

beforeEach(() => resetTables(t.database));

const bearer = { headers: { authorization: 'Bearer outbox-test-key' } };

describe('dispatch through the outbox', () => {
  it('sends a queued send once, storing the rendered message, and records the attempt', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: now, attributes: { first_name: 'Ada' }, email: 'ada@example.com' });
    const { phase, metrics } = testDispatcher(t.database, createOutboxTransport({ database: t.database, newId: () => 'n1' }));
    expect(await phase.run(now)).toBe(1);
    expect(await phase.run(now)).toBe(0);

    const row = await sendRow(t.database, sendId);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: `<${sendId}.n1@shop.example>` });
    expect(new Date(row.sent_at!).toISOString()).toBe(now.toISOString());
    expect(await attemptsOf(t.database, sendId)).toEqual([{ attempt: 1, outcome: 'sent', error: null }]);
    const [stored] = await t.database.db.select().from(outboxMessages);
    expect(stored).toMatchObject({ sendId, to: 'ada@example.com', from: 'Shop <news@shop.example>', subject: 'Hello Ada & welcome' });
    expect(stored!.raw).toContain('Hi Ada from The welcome campaign (city: )');
    expect(stored!.raw).toContain('<p>Hi Ada from The welcome campaign</p>');
    expect(stored!.createdAt.toISOString()).toBe(now.toISOString());
    expect(await metrics.render()).toContain('almanac_sends_total{outcome="sent"} 1');
  });

  it('fills the cart of a checkout-triggered run and escapes contact data in the HTML', async () => {
    const trigger = {
      type: 'checkout.started',
      properties: {
        checkout_id: 'k-9',
        total: 129,
        currency: 'EUR',
        url: 'https://shop.example/c/k-9',
        items: [{ title: 'Mug', quantity: 2 }],
      },
    };
    await queueSends(t.database, { notBefore: now, template: 'cart-reminder', trigger, attributes: { first_name: '<b>Ada</b>' } });
    const { transport, calls } = sent();
    const { phase } = testDispatcher(t.database, transport, { renderer: createRenderer({ templatesDir: sampleTemplatesDir }) });
    await phase.run(now);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.html).toContain('Hi &lt;b&gt;Ada&lt;/b&gt;,');
    expect(calls[0]!.html).toContain('<li>2 × Mug</li>');
    expect(calls[0]!.text).toContain('Complete your order: https://shop.example/c/k-9');
    expect(calls[0]!.tags).toMatchObject({ campaign: 'welcome', template: 'cart-reminder' });
  });

  it('a contact without a first name gets the default, never "undefined"', async () => {
    await queueSends(t.database, { notBefore: now });
    const { transport, calls } = sent();
    await testDispatcher(t.database, transport).phase.run(now);
    expect(calls[0]!.subject).toBe('Hello there & welcome');
    expect(JSON.stringify(calls[0])).not.toContain('undefined');
  });

  it('does not claim sends that are not due yet', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: new Date(now.getTime() + 1000) });
    const { transport, calls } = sent();
    expect(await testDispatcher(t.database, transport).phase.run(now)).toBe(0);
    expect(calls).toHaveLength(0);
    expect((await sendRow(t.database, sendId)).status).toBe('queued');
  });
});

describe('the gate', () => {
  it('suppresses a marketing send to a contact who never consented, without calling the transport', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: now, consent: false });
    const { transport, calls } = sent();
    await testDispatcher(t.database, transport).phase.run(now);
    expect(calls).toHaveLength(0);
    expect(await sendRow(t.database, sendId)).toMatchObject({
      status: 'suppressed',
      reason: 'no consent for email.marketing (never given)',
    });
    expect(await attemptsOf(t.database, sendId)).toEqual([]);
  });

  it('a withdrawal recorded after the send was queued stops it', async () => {
    const { sendId, contactId } = await queueOne(t.database, { notBefore: now });
    await t.database.db.insert(consentRecords).values({
      contactId,
      purpose: 'email.marketing',
      granted: false,
      source: 'unsubscribe',
      occurredAt: new Date(now.getTime() - 60_000),
    });
    const { transport, calls } = sent();
    await testDispatcher(t.database, transport).phase.run(now);
    expect(calls).toHaveLength(0);
    expect(await sendRow(t.database, sendId)).toMatchObject({ status: 'suppressed', reason: 'no consent for email.marketing (withdrawn)' });
  });

  it('a transactional send needs no consent', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: now, consent: false, purpose: 'email.transactional' });
    const { transport, calls } = sent();
    await testDispatcher(t.database, transport).phase.run(now);
    expect(calls.map((c) => c.sendId)).toEqual([sendId]);
    expect((await sendRow(t.database, sendId)).status).toBe('sent');
  });

  it('a suppressed address is never mailed, not even transactional mail', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: now, email: 'gone@example.com', purpose: 'email.transactional' });
    await t.database.db
      .insert(suppressions)
      .values({ addressHash: hashAddress('Gone@Example.com', SUPPRESSION_KEY), reason: 'hard bounce', source: 'ses' });
    const { transport, calls } = sent();
    await testDispatcher(t.database, transport).phase.run(now);
    expect(calls).toHaveLength(0);
    expect(await sendRow(t.database, sendId)).toMatchObject({ status: 'suppressed', reason: 'address is suppressed: hard bounce' });
  });

  it('fails sends to contacts with no or an invalid address before any transport call', async () => {
    const [none] = await queueSends(t.database, { notBefore: now, email: null });
    const [bad] = await queueSends(t.database, { notBefore: now, email: 'ada.example.com' });
    const { transport, calls } = sent();
    await testDispatcher(t.database, transport).phase.run(now);
    expect(calls).toHaveLength(0);
    expect(await sendRow(t.database, none!.sendId)).toMatchObject({ status: 'failed', reason: 'contact has no email address' });
    expect(await sendRow(t.database, bad!.sendId)).toMatchObject({
      status: 'failed',
      reason: 'email address "ada.example.com" is not valid',
    });
  });

  it('a template that fails to render fails that send only; the rest of the batch goes out', async () => {
    const [broken] = await queueSends(t.database, { notBefore: now, template: 'broken' });
    const [fine] = await queueSends(t.database, { notBefore: now });
    const { transport, calls } = sent();
    await testDispatcher(t.database, transport).phase.run(now);
    expect(calls.map((c) => c.sendId)).toEqual([fine!.sendId]);
    const row = await sendRow(t.database, broken!.sendId);
    expect(row.status).toBe('failed');
    expect(row.reason).toMatch(/^render failed: .*broken\/html\.hbs: Missing helper: "monye"/);
  });
});

describe('GET /v1/outbox', () => {
  it('lists what the outbox sent, newest first, with the text part', async () => {
    const [first] = await queueSends(t.database, { notBefore: now, attributes: { first_name: 'Ada' } });
    const [second] = await queueSends(t.database, { notBefore: new Date(now.getTime() + 60_000), attributes: { first_name: 'Bo' } });
    const { phase } = testDispatcher(t.database, createOutboxTransport({ database: t.database }));
    await phase.run(now);
    await phase.run(new Date(now.getTime() + 60_000));
    const app = outboxRoutes({ database: t.database, apiKeys: ['outbox-test-key'] });

    const res = await app.request('/v1/outbox?limit=10', bearer);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: Array<Record<string, unknown>> };
    expect(body.messages.map((m) => m.send_id)).toEqual([second!.sendId, first!.sendId]);
    expect(body.messages[1]).toMatchObject({
      subject: 'Hello Ada & welcome',
      from: 'Shop <news@shop.example>',
      text: 'Hi Ada from The welcome campaign (city: )',
      created_at: now.toISOString(),
    });
    const limited = (await (await app.request('/v1/outbox?limit=1', bearer)).json()) as { messages: unknown[] };
    expect(limited.messages).toHaveLength(1);
    expect(rowsOf(await t.database.db.execute(sql`select 1 from outbox_messages`))).toHaveLength(2);
  });

  it('rejects a limit that is not a whole number in range', async () => {
    const app = outboxRoutes({ database: t.database, apiKeys: ['outbox-test-key'] });
    app.onError((err, c) => c.json({ message: err.message }, 400));
    const res = await app.request('/v1/outbox?limit=abc', bearer);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('limit must be a whole number from 1 to 500');
  });
});
