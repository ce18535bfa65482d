import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rollUpClicks, rollUpOpens } from './engagement';
import { clicks, links, opens, sends } from './schema/index';
import { rowsOf } from './sql-values';
import { unnestInsert } from './unnest';

/** Rows by unnest (./unnest.ts), their new ids in the order given. */
async function insertReturningIds(tx: Tx, insert: ReturnType<typeof unnestInsert>): Promise<number[]> {
  return rowsOf<{ id: string }>(await tx.execute(sql`${insert} returning id::text as id`)).map((r) => Number(r.id));
}

/**
 * The tracked links of a batch of messages, in ONE statement: a send retried after a failed
 * provider call plans the same positions again and gets the same rows (the URL refreshed), so
 * a click on either attempt's mail lands on one link. Returns every row's id.
 */
export async function upsertLinks(
  tx: Tx,
  rows: Array<{ sendId: number; position: number; url: string }>,
): Promise<Array<{ id: number; sendId: number; position: number }>> {
  if (rows.length === 0) return [];
  return tx
    .insert(links)
    .values(rows)
    .onConflictDoUpdate({ target: [links.sendId, links.position], set: { url: sql`excluded.url` } })
    .returning({ id: links.id, sendId: sql<number>`${links.sendId}`, position: links.position });
}

/** A campaign link (no send): one row, its id for the token. */
export async function insertCampaignLink(tx: Tx, row: { campaign: string; network: string; url: string }): Promise<number> {
  const [r] = await tx
    .insert(links)
    .values({ ...row, position: 0 })
    .returning({ id: links.id });
  return r!.id;
}

export interface LinkTarget {
  linkId: number;
  url: string;
  position: number;
  /** Null for a campaign link (minted for another channel: no send, no known contact). */
  sendId: number | null;
  contactId: number | null;
  campaign: string;
  runId: number | null;
  network: string | null;
}

/** What `GET /c/:token` needs of a link: where it goes and whose send it is. */
export async function readLinkTarget(tx: Tx, linkId: number): Promise<LinkTarget | undefined> {
  const [row] = await tx
    .select({
      linkId: links.id,
      url: links.url,
      position: links.position,
      sendId: links.sendId,
      contactId: sends.contactId,
      campaign: sql<string | null>`coalesce(${links.campaign}, ${sends.campaign})`,
      runId: sends.runId,
      network: links.network,
    })
    .from(links)
    .leftJoin(sends, eq(sends.id, links.sendId))
    .where(eq(links.id, linkId))
    .limit(1);
  return row && row.campaign !== null ? { ...row, campaign: row.campaign } : undefined;
}

/** Which of these links still exist (a contact's erasure deletes its sends' links; a cached redirect may outlive them). */
export async function existingLinkIds(tx: Tx, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.select({ id: links.id }).from(links).where(inArray(links.id, ids));
  return new Set(rows.map((r) => r.id));
}

/** Per send: when it went out, how many tracked links it has, and its clicks since `since` — what bot classification compares a click with. */
export async function clickContexts(
  tx: Tx,
  sendIds: number[],
  since: Date,
): Promise<Map<number, { sentAt: Date | null; linkCount: number; recent: Array<{ position: number; clickedAt: Date }> }>> {
  const out = new Map<number, { sentAt: Date | null; linkCount: number; recent: Array<{ position: number; clickedAt: Date }> }>();
  if (sendIds.length === 0) return out;
  const rows = await tx
    .select({
      id: sends.id,
      sentAt: sends.sentAt,
      // Qualified by hand: inside a subquery drizzle's bare "id" would be the links row's own id.
      linkCount: sql<number>`(select count(*)::int from ${links} l where l.send_id = "sends"."id")`,
    })
    .from(sends)
    .where(inArray(sends.id, sendIds));
  for (const r of rows) out.set(r.id, { sentAt: r.sentAt, linkCount: Number(r.linkCount), recent: [] });
  const recent = await tx
    .select({ sendId: clicks.sendId, position: links.position, clickedAt: clicks.clickedAt })
    .from(clicks)
    .innerJoin(links, eq(links.id, clicks.linkId))
    .where(and(inArray(clicks.sendId, sendIds), gte(clicks.clickedAt, since)));
  for (const r of recent) if (r.sendId !== null) out.get(r.sendId)?.recent.push({ position: r.position, clickedAt: r.clickedAt });
  return out;
}

export interface ClickInsert {
  linkId: number;
  sendId: number | null;
  contactId: number | null;
  clickedAt: Date;
  ip: string | null;
  userAgent: string | null;
  isBot: boolean;
  botReason: string | null;
}

/**
 * Clicks in ONE statement, and ONE more that counts them into engagement_daily (and sets their
 * sends' first human click: ./engagement.ts) in the same transaction; returns their ids in the
 * order given.
 */
export async function insertClicks(tx: Tx, rows: ClickInsert[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const ids = await insertReturningIds(
    tx,
    unnestInsert(clicks, ['linkId', 'sendId', 'contactId', 'clickedAt', 'ip', 'userAgent', 'isBot', 'botReason'], rows),
  );
  if (rows.some((r) => r.sendId !== null)) await rollUpClicks(tx, ids);
  return ids;
}

export interface OpenInsert {
  sendId: number;
  contactId: number;
  openedAt: Date;
  ip: string | null;
  userAgent: string | null;
  isBot: boolean;
  botReason: string | null;
}

/** Opens in ONE statement, counted into engagement_daily by one more (as insertClicks); returns their ids in the order given. */
export async function insertOpens(tx: Tx, rows: OpenInsert[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const ids = await insertReturningIds(
    tx,
    unnestInsert(opens, ['sendId', 'contactId', 'openedAt', 'ip', 'userAgent', 'isBot', 'botReason'], rows),
  );
  await rollUpOpens(tx, ids);
  return ids;
}

/** The contact, campaign and run of sends, for opens (the pixel names only the send). */
export async function sendOwners(
  tx: Tx,
  sendIds: number[],
): Promise<Map<number, { contactId: number; campaign: string; runId: number | null; sentAt: Date | null }>> {
  if (sendIds.length === 0) return new Map();
  const rows = await tx
    .select({ id: sends.id, contactId: sends.contactId, campaign: sends.campaign, runId: sends.runId, sentAt: sends.sentAt })
    .from(sends)
    .where(inArray(sends.id, sendIds));
  return new Map(rows.map((r) => [r.id, r]));
}
