import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertEvents } from '../../src/storage/events';
import { contacts } from '../../src/storage/schema/index';
import { rowsOf } from '../../src/storage/sql-values';
import { insertClicks } from '../../src/storage/tracking';
import { backend, useTestDatabase } from '../helpers/db';

const t = useTestDatabase('storage_unnest');

/** Text that an array literal must quote: quotes, backslashes, braces, commas, the word NULL, newlines, non-ASCII. */
const AWKWARD = ['NULL', '', 'a "quoted" \\ back\\slash', '{braces},commas', 'line\nbreak\ttab', 'zażółć 🎉', 'null'];

describe(`unnest inserts (one parameter per column) on ${backend}`, () => {
  it('events keep every awkward string, JSON and timestamp exactly, in order, and skip stored keys', async () => {
    const [c] = await t.database.db.insert(contacts).values({ externalId: 'c-unnest' }).returning({ id: contacts.id });
    const at = new Date('2026-11-23T10:00:00.123Z');
    const rows = AWKWARD.map((text, i) => ({
      dedupeKey: `k-${text}`,
      type: text || 'empty',
      contactId: c!.id,
      properties: { text, nested: { list: [1, 'two', null, true], quote: '"', big: 9007199254740991 } },
      occurredAt: new Date(at.getTime() + i),
      receivedAt: at,
      source: 'api',
    }));
    const stored = await insertEvents(t.database.db, rows);
    expect(stored.map((r) => r.dedupeKey)).toEqual(rows.map((r) => r.dedupeKey));
    expect(new Set(stored.map((r) => r.id)).size).toBe(rows.length);
    const back = rowsOf<{ dedupe_key: string; type: string; properties: unknown; occurred_at: string }>(
      await t.database.db.execute(
        sql`select dedupe_key, type, properties, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as occurred_at from events order by id`,
      ),
    );
    expect(back.map((r) => r.dedupe_key)).toEqual(rows.map((r) => r.dedupeKey));
    expect(back.map((r) => r.type)).toEqual(rows.map((r) => r.type));
    expect(back.map((r) => (typeof r.properties === 'string' ? JSON.parse(r.properties) : r.properties))).toEqual(
      rows.map((r) => r.properties),
    );
    expect(back[1]!.occurred_at).toBe('2026-11-23T10:00:00.124');
    // Again with one new key: only that one is returned.
    const again = await insertEvents(t.database.db, [...rows, { ...rows[0]!, dedupeKey: 'k-new' }]);
    expect(again.map((r) => r.dedupeKey)).toEqual(['k-new']);
  });

  it('clicks store NULLs as NULL and the string "NULL" as a string', async () => {
    const [c] = await t.database.db.insert(contacts).values({ externalId: 'c-click' }).returning({ id: contacts.id });
    const [link] = rowsOf<{ id: string }>(
      await t.database.db.execute(
        sql`insert into links (send_id, position, url, campaign, network) values (null, 0, 'https://x.example', 'c', 'sms') returning id::text as id`,
      ),
    );
    const at = new Date('2026-11-23T10:00:00Z');
    const ids = await insertClicks(t.database.db, [
      {
        linkId: Number(link!.id),
        sendId: null,
        contactId: c!.id,
        clickedAt: at,
        ip: null,
        userAgent: 'NULL',
        isBot: false,
        botReason: null,
      },
      {
        linkId: Number(link!.id),
        sendId: null,
        contactId: null,
        clickedAt: at,
        ip: '10.0.0.1',
        userAgent: null,
        isBot: true,
        botReason: 'scanner_ua',
      },
    ]);
    expect(ids).toHaveLength(2);
    const back = rowsOf<{ ip: string | null; user_agent: string | null; is_bot: boolean; contact_id: unknown }>(
      await t.database.db.execute(sql`select ip, user_agent, is_bot, contact_id from clicks order by id`),
    );
    expect(back.map((r) => [r.ip, r.user_agent, r.is_bot, r.contact_id === null])).toEqual([
      [null, 'NULL', false, false],
      ['10.0.0.1', null, true, true],
    ]);
  });
});
