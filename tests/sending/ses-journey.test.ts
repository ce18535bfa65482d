import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics';
import { createEnginePhases } from '../../src/runtime/engine';
import { createTick } from '../../src/scheduler/tick';
import { loadConfig } from '../../src/config';
import { createTransport } from '../../src/runtime/transport';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, applyInline, at, ingest, plus, query } from '../helpers/engine';
import { startSesLocal } from './ses-local';
import { sesProxy, tagsOf } from './ses-proxy';
import { FROM, dispatcher, parseMail, recording } from './support';

/**
 * A journey send through the real engine and dispatcher over the SES transport, against
 * aws-ses-v2-local with a recording proxy in front: what lands in the local SES store, and
 * what the SDK put on the wire (configuration set and tags, which the store does not keep).
 */
const t = useTestDatabase('delivery_ses_journey');
const T0 = at('2026-11-23T10:00:00Z');
let ses: Awaited<ReturnType<typeof startSesLocal>>;
let proxy: Awaited<ReturnType<typeof sesProxy>>;

beforeAll(async () => {
  ses = await startSesLocal();
  proxy = await sesProxy(ses.url);
});
afterAll(async () => {
  await proxy?.close();
  await ses?.stop();
});

const campaign = `campaign: spring-welcome
name: Spring welcome
purpose: email.marketing
trigger:
  event: contact.created
audience:
  all:
    - consent: email.marketing
steps:
  - send: greeting
`;

describe(`a journey send over SES (aws-ses-v2-local) on ${backend}`, () => {
  it('arrives with its subject, text, HTML and headers, tagged with send, campaign and template', async () => {
    await applyInline(t.database, { 'campaigns/spring-welcome.yaml': campaign }, ['greeting'], T0);
    // Wired as `npm start` wires it: config → createTransport → SES transport + shared rate limit.
    const config = loadConfig({
      TRANSPORT: 'ses',
      MAIL_POSTAL_ADDRESS: 'Spring Shop, 1 Main St, Springfield',
      SES_REGION: 'eu-west-1',
      SES_ENDPOINT: proxy.url,
      SES_ACCESS_KEY_ID: 'AKIDLOCALTEST0000',
      SES_SECRET_ACCESS_KEY: 'local-secret-not-checked',
      SES_CONFIGURATION_SET: 'almanac-events',
      SES_MAX_SEND_RATE: '50',
    });
    const sending = createTransport(config, t.database);
    const seam = recording(sending.transport);
    const metrics = new Metrics();
    const dispatch = dispatcher(t.database, seam.transport, { metrics, random: () => 0.5, rateLimiter: sending.rateLimiter! });
    const tick = createTick(createEnginePhases({ database: t.database, metrics, batchSize: 50, segmentPassMs: 60_000, dispatch }), metrics);
    const contact = { id: 'c-ada', email: 'ada@example.com', timezone: 'Europe/Warsaw' };
    await ingest(
      t.database,
      [
        {
          id: 'e-consent',
          type: 'consent.granted',
          occurred_at: plus(T0, -DAY).toISOString(),
          contact,
          properties: { purpose: 'email.marketing', text: 'Send me offers', text_version: 'v1', source: 'signup' },
        },
        { id: 'e-created', type: 'contact.created', occurred_at: T0.toISOString(), contact, properties: {} },
      ],
      T0,
    );
    await t.database.db.execute(
      sql`update contacts set attributes = attributes || '{"first_name":"Ada <b>"}'::jsonb where external_id = 'c-ada'`,
    );
    await tick(T0);
    sending.close();

    const [send] = await query<{ id: string | number; status: string; provider_message_id: string | null }>(
      t.database,
      sql`select id, status, provider_message_id from sends`,
    );
    expect(send).toMatchObject({ status: 'sent' });
    const sendId = String(send!.id);

    // The local SES store: one message, the contact's, with the rendered parts.
    const stored = await ses.store();
    expect(stored).toHaveLength(1);
    const mail = stored[0]!;
    expect(send!.provider_message_id).toBe(mail.messageId);
    expect(mail.destination.to).toEqual(['ada@example.com']);
    expect(mail.from).toContain('news@shop.example');
    expect(mail.subject).toBe('Witaj Ada <b> — your welcome gift');
    expect(mail.body.text?.trim()).toBe('Hi Ada <b>, welcome to Spring welcome.');
    expect(mail.body.html).toContain('<p>Hi Ada &lt;b&gt;, welcome to Spring welcome.</p>');

    // The transport seam: the message the dispatcher handed over, and SES's answer.
    expect(seam.calls).toHaveLength(1);
    expect(seam.calls[0]!.message).toMatchObject({
      sendId: Number(sendId),
      to: 'ada@example.com',
      from: FROM,
      tags: { send_id: sendId, campaign: 'spring-welcome', template: 'greeting' },
    });
    expect(seam.calls[0]!.outcome).toEqual({ status: 'sent', providerMessageId: mail.messageId });
    // The send took a token from the bucket every process shares, named for the SES region.
    expect(await query(t.database, sql`select name from rate_limiters`)).toEqual([{ name: 'ses:eu-west-1' }]);

    // The wire: SendRawEmail with the configuration set, tags and the raw MIME's headers.
    const [request] = proxy.requests;
    expect(proxy.requests).toHaveLength(1);
    expect(request!.action).toBe('SendRawEmail');
    expect(request!.form.get('ConfigurationSetName')).toBe('almanac-events');
    expect(request!.form.get('Destinations.member.1')).toBe('ada@example.com');
    expect(tagsOf(request!.form)).toEqual({ send_id: sendId, campaign: 'spring-welcome', template: 'greeting' });
    const raw = Buffer.from(request!.form.get('RawMessage.Data') ?? '', 'base64');
    const parsed = await parseMail(raw);
    expect(parsed.subject).toBe('Witaj Ada <b> — your welcome gift');
    expect(parsed.headers.get('x-almanac-send-id')).toBe(sendId);
    expect(parsed.headers.get('x-almanac-campaign')).toBe('spring-welcome');
    expect(parsed.headers.get('message-id')).toMatch(/^<.+@.+>$/);
    expect(parsed.headers.get('date')).toEqual(T0);
    expect(String((parsed.headers.get('content-type') as { value: string }).value)).toBe('multipart/alternative');
    // Non-ASCII subjects travel as RFC 2047 encoded words, never raw 8-bit in the header.
    expect(raw.toString('latin1')).toMatch(/^Subject: =\?UTF-8\?/im);
  });
});
