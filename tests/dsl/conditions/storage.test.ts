import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/dsl/condition';
import { loadFacts, selectMatchingContactIds } from '../../../src/storage/facts';
import { contacts } from '../../../src/storage/schema/index';
import { useTestDatabase } from '../../helpers/db';
import { type SeedContact, seedPopulation } from './population';

/** The two storage entry points: paging through matches, and facts for a batch of contacts. */
const t = useTestDatabase('conditions_storage');
const now = new Date('2026-03-01T12:00:00.000Z');
const everyone: Condition = { kind: 'all', of: [] };

const person = (i: number, p: Partial<SeedContact> = {}): SeedContact => ({
  externalId: `p${i}`,
  email: null,
  timezone: null,
  locale: null,
  lifecycleStage: null,
  createdAt: new Date('2025-06-01T00:00:00.000Z'),
  attributes: { i },
  events: [],
  consent: [],
  ...p,
});

let ids: number[] = [];
beforeAll(async () => {
  ids = await seedPopulation(t.database.db, [
    person(0, {
      events: [
        { type: 'order.created', occurredAt: new Date('2026-02-01T00:00:00.000Z'), properties: { total: 5 } },
        { type: 'email.clicked', occurredAt: new Date('2026-02-02T00:00:00.000Z'), properties: {} },
        { type: 'order.created', occurredAt: new Date('2026-03-01T12:00:00.001Z'), properties: { total: 7 } },
      ],
      consent: [{ purpose: 'sms', granted: true, occurredAt: new Date('2026-03-02T00:00:00.000Z') }],
    }),
    ...Array.from({ length: 6 }, (_, i) => person(i + 1)),
  ]);
  await t.database.db.update(contacts).set({ erasedAt: now }).where(eq(contacts.id, ids[6]!));
});

describe('selectMatchingContactIds', () => {
  it('pages through matches by id, `afterId` the last id of the previous page', async () => {
    const db = t.database.db;
    const pages: number[][] = [];
    let afterId = 0;
    for (;;) {
      const page = await selectMatchingContactIds(db, everyone, { now, afterId, limit: 4 });
      if (page.length === 0) break;
      pages.push(page);
      afterId = page.at(-1)!;
    }
    expect(pages).toEqual([ids.slice(0, 4), ids.slice(4, 6)]);
  });

  it('never returns an erased contact', async () => {
    const odd: Condition = { kind: 'attribute', scope: 'attributes', path: ['i'], op: 'in', value: [1, 3, 5, 6] };
    expect(await selectMatchingContactIds(t.database.db, odd, { now })).toEqual([ids[1], ids[3], ids[5]]);
  });

  it('binds values: a quote in a value is data, not SQL', async () => {
    const nasty: Condition = { kind: 'attribute', scope: 'attributes', path: ["i'); drop table contacts; --"], op: 'is', value: "'; --" };
    expect(await selectMatchingContactIds(t.database.db, nasty, { now })).toEqual([]);
    expect(await selectMatchingContactIds(t.database.db, everyone, { now, limit: 1 })).toEqual([ids[0]]);
  });
});

describe('loadFacts', () => {
  it('reads contacts, their past events and current consent; nothing from after now', async () => {
    const facts = await loadFacts(t.database.db, [ids[0]!, ids[1]!, 999_999_999], { now });
    expect([...facts.keys()]).toEqual(expect.arrayContaining([ids[0], ids[1]]));
    expect(facts.size).toBe(2);
    const first = facts.get(ids[0]!)!;
    expect(first.contact).toMatchObject({ id: ids[0], external_id: 'p0', attributes: { i: 0 } });
    expect(first.events.map((e) => e.type).sort()).toEqual(['email.clicked', 'order.created']);
    expect(first.consent).toEqual({});
  });

  it('loads only the event types asked for', async () => {
    const facts = await loadFacts(t.database.db, [ids[0]!], { now, eventTypes: ['order.created'] });
    expect(facts.get(ids[0]!)!.events).toEqual([
      { type: 'order.created', occurredAt: new Date('2026-02-01T00:00:00.000Z'), properties: { total: 5 } },
    ]);
    const none = await loadFacts(t.database.db, [ids[0]!], { now, eventTypes: [] });
    expect(none.get(ids[0]!)!.events).toEqual([]);
  });

  it('sees consent once its time has come', async () => {
    const later = new Date('2026-03-03T00:00:00.000Z');
    expect((await loadFacts(t.database.db, [ids[0]!], { now: later })).get(ids[0]!)!.consent).toEqual({ sms: true });
  });
});
