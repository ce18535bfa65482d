import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { groupCommit, type Ingest } from '../../src/events/group-commit';
import type { IngestResult } from '../../src/events/ingest';
import type { IngestEvent } from '../../src/events/types';
import { backend, useTestDatabase } from '../helpers/db';
import { query } from '../helpers/engine';
import { authed, ingestApp } from '../http/ingest-app';

/**
 * Concurrent `POST /v1/events` share one commit (src/events/group-commit.ts): each request is
 * answered with its own part, after the commit, as if the requests had come one after another.
 */
const t = useTestDatabase('events_group_commit');

const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'product.viewed',
  occurred_at: '2026-11-23T09:00:00Z',
  contact: { id: `c-${id}`, email: `${id}@example.com` },
  properties: { sku: 'mug' },
  ...extra,
});

describe(`group commit of event ingestion on ${backend}`, () => {
  it('40 concurrent requests: each answered with its own event, all stored once, each with its own receipt time', async () => {
    let tick = 0;
    const { app } = ingestApp(t.database, { now: () => new Date(Date.UTC(2026, 10, 23, 10, 0, 0, tick++)) });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => app.request('/v1/events', authed(event(`gc-${i}`)))));
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: (await r.json()) as IngestResult })));
    bodies.forEach(({ status, body }, i) => {
      expect(status).toBe(202);
      expect(body).toMatchObject({ accepted: 1, duplicates: 0, events: [{ index: 0, id: `gc-${i}`, duplicate: false }] });
    });
    const rows = await query<{ n: number; times: number }>(
      t.database,
      sql`select count(*)::int as n, count(distinct received_at)::int as times from events where dedupe_key like 'gc-%'`,
    );
    expect(rows).toEqual([{ n: 40, times: 40 }]);
  });

  it('the same event delivered 10× at once: one accepted, nine duplicates naming the stored one, one row', async () => {
    const { app } = ingestApp(t.database);
    const answers = await Promise.all(Array.from({ length: 10 }, () => app.request('/v1/events', authed(event('gc-same')))));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as IngestResult[];
    expect(bodies.filter((b) => b.accepted === 1)).toHaveLength(1);
    expect(bodies.filter((b) => b.duplicates === 1)).toHaveLength(9);
    expect(new Set(bodies.map((b) => b.events[0]!.eventId)).size).toBe(1);
    expect(await query(t.database, sql`select count(*)::int as n from events where dedupe_key = 'gc-same'`)).toEqual([{ n: 1 }]);
  });

  it("a warning goes to the request it is about, at that request's own index", async () => {
    const { app } = ingestApp(t.database);
    const checkout = event('gc-checkout', { type: 'checkout.started', properties: { checkout_id: 'k1', total: 10, currency: 'EUR' } });
    const answers = await Promise.all([
      app.request('/v1/events', authed(event('gc-w1'))),
      app.request('/v1/events/batch', authed({ events: [event('gc-w2'), checkout] })),
      app.request('/v1/events', authed(event('gc-w3'))),
    ]);
    const [a, b, c] = (await Promise.all(answers.map((r) => r.json()))) as IngestResult[];
    expect(a!.warnings).toBeUndefined();
    expect(c!.warnings).toBeUndefined();
    expect(b!.warnings).toEqual([expect.objectContaining({ index: 1, field: 'properties.url', code: 'missing_property' })]);
    expect(b!.events.map((e) => e.index)).toEqual([0, 1]);
  });
});

describe('groupCommit, the batching itself', () => {
  const ev = (key: string) => ({ dedupeKey: key }) as unknown as IngestEvent;
  const echo =
    (calls: string[][], poison?: string): Ingest =>
    async (events) => {
      calls.push(events.map((e) => e.dedupeKey));
      await new Promise((r) => setTimeout(r, 5));
      if (poison && events.some((e) => e.dedupeKey === poison)) throw new Error(`bad ${poison}`);
      return {
        accepted: events.length,
        duplicates: 0,
        events: events.map((e, index) => ({ index, id: e.dedupeKey, eventId: index + 1, duplicate: false })),
      };
    };

  it('a lone request goes at once; those that arrive meanwhile share the next commit', async () => {
    const calls: string[][] = [];
    const ingest = groupCommit(echo(calls));
    const now = new Date();
    await Promise.all(['a', 'b', 'c', 'd'].map((k) => ingest([ev(k)], now)));
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('a shared commit that fails is retried request by request: only the bad one fails', async () => {
    const calls: string[][] = [];
    const ingest = groupCommit(echo(calls, 'bad'));
    const now = new Date();
    const settled = await Promise.allSettled(['a', 'b', 'bad', 'd'].map((k) => ingest([ev(k)], now)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([['a'], ['b', 'bad', 'd'], ['b'], ['bad'], ['d']]);
  });

  it('at most maxEvents events per commit; a bigger request goes alone', async () => {
    const calls: string[][] = [];
    const ingest = groupCommit(echo(calls), { maxEvents: 3 });
    const now = new Date();
    await Promise.all(
      [[ev('a')], [ev('b'), ev('c')], [ev('d'), ev('e')], [ev('f'), ev('g'), ev('h'), ev('i')]].map((evs) => ingest(evs, now)),
    );
    expect(calls).toEqual([['a'], ['b', 'c'], ['d', 'e'], ['f', 'g', 'h', 'i']]);
  });
});
