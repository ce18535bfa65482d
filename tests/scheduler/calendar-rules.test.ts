import { readdirSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/db';
import { backend, openTestDb, useTestDatabase } from '../helpers/db';
import { DAY, at, applyInline, engine, ingest, plus, query } from '../helpers/engine';

const t = useTestDatabase('calendar_rules');
const templates = readdirSync('templates');
const calendar = `timezone: Europe/Warsaw
quiet_hours: { from: "21:00", to: "08:00" }
blackout:
  - { date: 2026-12-25, reason: Christmas }
frequency_caps:
  - { purpose: email.marketing, max: 1, per: 1d }
on_conflict: defer
`;
const promo = (id: string, priority: number, template: string) => `campaign: ${id}
purpose: email.marketing
priority: ${priority}
trigger: { event: promo.go }
re_entry: always
audience: { consent: email.marketing }
steps:
  - send: ${template}
`;
const receipt = `campaign: receipt
purpose: email.transactional
trigger: { event: order.paid }
re_entry: always
steps:
  - send: welcome-thanks
`;
const files = {
  'campaigns/calendar.yaml': calendar,
  'campaigns/promo-high.yaml': promo('promo-high', 90, 'welcome-1'),
  'campaigns/promo-mid.yaml': promo('promo-mid', 50, 'welcome-2'),
  'campaigns/promo-low.yaml': promo('promo-low', 10, 'newsletter'),
  'campaigns/receipt.yaml': receipt,
};

const person = (id: string, timezone = 'Europe/Warsaw') => ({ id, email: `${id}@example.com`, timezone });
const consent = (id: string, timezone?: string) => ({
  id: `${id}-consent`,
  type: 'consent.granted',
  occurred_at: '2026-11-01T00:00:00Z',
  contact: person(id, timezone),
  properties: { purpose: 'email.marketing', source: 'test' },
});
const go = (id: string, when: Date, n = 1) => ({
  id: `${id}-go-${n}`,
  type: 'promo.go',
  occurred_at: when.toISOString(),
  contact: { id },
  properties: {},
});

const sendsOf = (id: string, database: Database = t.database) =>
  query<{ campaign: string; status: string; reason: string | null; not_before: string; sent_at: string | null }>(
    database,
    sql`select s.campaign, s.status, s.reason, to_json(s.not_before) #>> '{}' as not_before, to_json(s.sent_at) #>> '{}' as sent_at
        from sends s join contacts c on c.id = s.contact_id where c.external_id = ${id} order by s.priority desc, s.id`,
  );
const iso = (d: string | null) => (d ? new Date(d).toISOString() : null);

describe(`calendar rules in the dispatcher on ${backend}`, () => {
  it('three campaigns compete for one daily slot: the highest priority wins, the others land in the next windows', async () => {
    const T = at('2026-12-01T11:00:00Z'); // 12:00 in Warsaw, a Tuesday
    await applyInline(t.database, files, templates, plus(T, -DAY));
    await ingest(t.database, [consent('ola'), go('ola', T)], T);
    const { tick } = engine(t.database, { dispatch: true });
    await tick(T);
    let s = await sendsOf('ola');
    expect(s.map((x) => [x.campaign, x.status, x.reason, iso(x.not_before)])).toEqual([
      ['promo-high', 'sent', null, T.toISOString()],
      ['promo-mid', 'deferred', 'cap:email.marketing:1/1d', plus(T, DAY).toISOString()],
      ['promo-low', 'deferred', 'cap:email.marketing:1/1d', plus(T, DAY).toISOString()],
    ]);
    await tick(plus(T, DAY)); // the slot frees: mid outranks low
    s = await sendsOf('ola');
    expect(s.map((x) => [x.campaign, x.status])).toEqual([
      ['promo-high', 'sent'],
      ['promo-mid', 'sent'],
      ['promo-low', 'deferred'],
    ]);
    expect(iso(s[2]!.not_before)).toBe(plus(T, 2 * DAY).toISOString());
    await tick(plus(T, 2 * DAY));
    expect((await sendsOf('ola')).map((x) => x.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it("quiet hours hold a marketing send until 08:00 in the contact's zone; another zone is not held", async () => {
    const T = at('2026-12-02T21:30:00Z'); // 22:30 in Warsaw, 16:30 in New York
    await ingest(t.database, [consent('piotr'), consent('nina', 'America/New_York'), go('piotr', T), go('nina', T)], T);
    const { tick } = engine(t.database, { dispatch: true });
    await tick(T);
    const [high] = await sendsOf('piotr');
    expect([high!.status, high!.reason, iso(high!.not_before)]).toEqual(['deferred', 'quiet hours', '2026-12-03T07:00:00.000Z']);
    expect((await sendsOf('nina'))[0]!.status).toBe('sent');
    await tick(at('2026-12-03T07:00:00Z'));
    expect((await sendsOf('piotr'))[0]!.status).toBe('sent');
  });

  it('a blackout day holds marketing sends to the next allowed morning; a receipt goes at once', async () => {
    const T = at('2026-12-25T10:00:00Z'); // Christmas, 11:00 in Warsaw
    await ingest(
      t.database,
      [
        consent('ewa'),
        go('ewa', T),
        { id: 'ewa-paid', type: 'order.paid', occurred_at: T.toISOString(), contact: { id: 'ewa' }, properties: {} },
      ],
      T,
    );
    const { tick } = engine(t.database, { dispatch: true });
    await tick(T);
    const s = await sendsOf('ewa');
    const receiptSend = s.find((x) => x.campaign === 'receipt')!;
    const high = s.find((x) => x.campaign === 'promo-high')!;
    expect(receiptSend.status).toBe('sent');
    expect([high.status, high.reason, iso(high.not_before)]).toEqual(['deferred', 'blackout: Christmas', '2026-12-26T07:00:00.000Z']);
  });

  it("two dispatchers at once never both take a contact's last slot", async () => {
    const T = at('2026-12-09T11:00:00Z');
    const people = Array.from({ length: 20 }, (_, i) => `race${i}`);
    await ingest(
      t.database,
      people.flatMap((p) => [consent(p), go(p, T)]),
      T,
    );
    await engine(t.database).tick(T); // runs queue their sends; nothing dispatched yet
    const other = await openTestDb(t.schema);
    try {
      // Small batches so the two dispatchers interleave over the same contacts' sends.
      const a = engine(t.database, { dispatch: true, batchSize: 3 });
      const b = engine(other, { dispatch: true, batchSize: 3 });
      for (let i = 0; i < 12; i++) await Promise.all([a.tick(T), b.tick(T)]);
    } finally {
      await other.close();
    }
    for (const p of people) {
      const statuses = (await sendsOf(p)).map((x) => x.status).sort();
      expect(statuses, p).toEqual(['deferred', 'deferred', 'sent']);
    }
  });
});
