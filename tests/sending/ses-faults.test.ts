import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readDispatchPause } from '../../src/storage/dispatch-pause';
import { createSesTransport, type SesTransport } from '../../src/sending/ses';
import { backend, useTestDatabase } from '../helpers/db';
import { freePort } from '../helpers/net';
import { query } from '../helpers/engine';
import { attemptsOf, queueOne, queueSends, resetTables, sendRow } from '../scheduler/dispatch/fixtures';
import { startSesLocal } from './ses-local';
import { type Fault, sesError, sesProxy } from './ses-proxy';
import { dispatcher, seeded } from './support';

/**
 * SES answering with errors, through the real SDK's error parsing: a local proxy in front of
 * aws-ses-v2-local answers some SendRawEmail calls itself with SES's query-protocol error body.
 */
const t = useTestDatabase('delivery_ses_faults');
const T0 = new Date('2026-11-24T10:00:00Z');
let ses: Awaited<ReturnType<typeof startSesLocal>>;
let fault: (n: number) => Fault | undefined = () => undefined;
let proxy: Awaited<ReturnType<typeof sesProxy>>;
let transport: SesTransport;

beforeAll(async () => {
  ses = await startSesLocal();
  proxy = await sesProxy(ses.url, (_, n) => fault(n));
  transport = sesTransportAt(proxy.url);
});
afterAll(async () => {
  transport?.close();
  await proxy?.close();
  await ses?.stop();
});
beforeEach(async () => {
  await resetTables(t.database);
  await ses.clear();
  proxy.requests.length = proxy.accepted.length = proxy.faulted.length = 0;
  fault = () => undefined;
});

function sesTransportAt(endpoint: string) {
  return createSesTransport({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDLOCALTEST0000', secretAccessKey: 'local-secret' },
  });
}

const message = (sendId: number) => ({
  sendId,
  to: `p${sendId}@example.com`,
  from: 'Shop <news@shop.example>',
  subject: 'Hi',
  html: '<p>Hi</p>',
  text: 'Hi',
  headers: {},
  tags: { send_id: String(sendId), campaign: 'c', template: 't' },
  date: T0,
});

describe('SES errors become dispatcher outcomes (parsed by the real SDK)', () => {
  const cases: Array<[string, Fault, string, number?]> = [
    ['Throttling', sesError('Throttling', 'Maximum sending rate exceeded.'), 'retry'],
    [
      'Throttling with Retry-After',
      { ...sesError('Throttling', 'Maximum sending rate exceeded.'), headers: { 'retry-after': '7' } },
      'retry',
      7_000,
    ],
    ['a 503', sesError('ServiceUnavailable', 'Service is unavailable.', 'Receiver', 503), 'retry'],
    ['a 500 without an SES body', { status: 500, body: 'oops' }, 'retry'],
    ['MessageRejected', sesError('MessageRejected', 'Email address is not verified.'), 'failed'],
    ['MailFromDomainNotVerifiedException', sesError('MailFromDomainNotVerifiedException', 'MAIL FROM domain not verified.'), 'failed'],
    ['InvalidParameterValue', sesError('InvalidParameterValue', 'Illegal address'), 'failed'],
    ['AccountSendingPausedException', sesError('AccountSendingPausedException', 'Sending is paused for this account.'), 'paused'],
    ['ConfigurationSetSendingPausedException', sesError('ConfigurationSetSendingPausedException', 'Sending is paused.'), 'paused'],
    ['a daily quota exhausted', sesError('Throttling', 'Daily message quota exceeded.'), 'paused'],
  ];
  it.each(cases)('%s', async (_, answer, status, retryAfterMs) => {
    fault = () => answer;
    const outcome = await transport.send(message(1));
    expect(outcome.status).toBe(status);
    if (retryAfterMs !== undefined) expect(outcome).toMatchObject({ retryAfterMs });
    if (outcome.status !== 'sent') expect(outcome.error).toMatch(/^\w+: /);
    expect(await ses.store()).toEqual([]);
  });

  it('no answer at all (nothing listening) is a retry', async () => {
    const nowhere = sesTransportAt(`http://127.0.0.1:${await freePort()}`);
    try {
      expect(await nowhere.send(message(2))).toMatchObject({ status: 'retry' });
    } finally {
      nowhere.close();
    }
  });
});

describe(`the dispatcher over SES on ${backend}`, () => {
  it('MessageRejected fails the send with the provider error and never retries it', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: T0, template: 'greeting' });
    fault = () =>
      sesError('MessageRejected', 'Email address is not verified. The following identities failed the check: news@shop.example');
    const phase = dispatcher(t.database, transport);
    await phase.run(T0);
    await phase.run(new Date(T0.getTime() + 3_600_000));
    expect(proxy.faulted).toHaveLength(1);
    expect(await sendRow(t.database, sendId)).toMatchObject({
      status: 'failed',
      reason: 'rejected by ses',
      last_error: expect.stringMatching(/^MessageRejected: Email address is not verified/),
    });
  });

  it('AccountSendingPaused raises dispatch.paused, keeps the batch queued and calls SES no more', async () => {
    const queued = await queueSends(t.database, { notBefore: T0, template: 'greeting' }, 5);
    fault = () => sesError('AccountSendingPausedException', 'Sending is paused for this account.');
    const phase = dispatcher(t.database, transport, { concurrency: 1 });
    await phase.run(T0);
    expect(await readDispatchPause(t.database.db)).toMatchObject({
      transport: 'ses',
      reason: expect.stringContaining('AccountSendingPausedException'),
    });
    await phase.run(new Date(T0.getTime() + 60_000));
    expect(proxy.requests).toHaveLength(1);
    for (const { sendId } of queued) expect((await sendRow(t.database, sendId)).status).toBe('queued');
  });

  it('30 % Throttling still delivers each of 60 messages exactly once, ticking past every backoff', async () => {
    const queued = await queueSends(t.database, { notBefore: T0, template: 'greeting' }, 60);
    const coin = seeded(7);
    fault = () => (coin() < 0.3 ? sesError('Throttling', 'Maximum sending rate exceeded.') : undefined);
    const phase = dispatcher(t.database, transport, { random: seeded(11), maxAttempts: 20 });
    let now = T0;
    for (let tickNo = 0; tickNo < 200; tickNo++) {
      await phase.run(now);
      const [next] = await query<{ at: string | null }>(
        t.database,
        sql`select to_json(min(not_before)) #>> '{}' as at from sends where status in ('queued', 'sending')`,
      );
      if (!next?.at) break;
      now = new Date(Math.max(now.getTime() + 1_000, new Date(next.at).getTime())); // the virtual clock jumps to the next due send
    }
    const ids = queued.map((q) => String(q.sendId)).sort();
    expect(proxy.faulted.length).toBeGreaterThan(10); // the proxy really throttled (about 30 % of the calls)
    expect(proxy.requests).toHaveLength(60 + proxy.faulted.length);
    expect(proxy.accepted.map((a) => a.sendId).sort()).toEqual(ids); // each reached SES once
    const stored = await ses.store();
    expect(stored).toHaveLength(60);
    const rows = await query<{ id: string | number; status: string; provider_message_id: string; email: string }>(
      t.database,
      sql`select s.id, s.status, s.provider_message_id, c.email from sends s join contacts c on c.id = s.contact_id`,
    );
    const byAddress = new Map(rows.map((r) => [r.email, r]));
    expect(new Set(stored.map((m) => m.destination.to[0])).size).toBe(60); // one message per contact
    for (const m of stored) expect(byAddress.get(m.destination.to[0]!)).toMatchObject({ status: 'sent', provider_message_id: m.messageId });
    const retries = (await Promise.all(queued.map((q) => attemptsOf(t.database, q.sendId)))).flat().filter((a) => a.outcome === 'retry');
    expect(retries).toHaveLength(proxy.faulted.length);
  });
});

describe('an SES request that may have gone out without an answer', () => {
  it('is unknown, never retried: a reset after the request was read cannot be told from a send', async () => {
    // A server that reads the whole request, then drops the connection without answering.
    const { createServer } = await import('node:net');
    const port = await freePort();
    const server = createServer((socket) => {
      socket.on('data', (chunk) => {
        if (chunk.includes('Action=SendRawEmail')) socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const silent = sesTransportAt(`http://127.0.0.1:${port}`);
    try {
      const outcome = await silent.send(message(3));
      expect(outcome.status).toBe('unknown');
    } finally {
      silent.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
