import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { MergePolicy } from '../../src/config';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import type { Database } from '../../src/storage/db';
import { rowsOf } from '../../src/storage/sql-values';

/** Shared set-up of the ingestion tests: an app with keys and secrets, a fixed clock, signers, counts. */
export const API_KEY = 'test-key-7f3a';
export const SHOPIFY_SECRET = 'shpss_0123456789abcdef';
export const INGEST_SECRET = `whsec_${Buffer.from('a-32-byte-secret-for-the-crm-src').toString('base64')}`;
export const NOW = new Date('2026-11-23T10:00:00Z');
/** MERGE_ON_EMAIL=false: an email stays with its first contact (the rule before identities merged). */
export const NO_EMAIL_MERGES: MergePolicy = { onEmail: false, sources: new Set(['api', 'shopify']) };

export function ingestApp(
  database: Database,
  options: { apiKeys?: string[]; now?: () => Date; mergePolicy?: MergePolicy; suppressionKey?: string } = {},
) {
  const logged: string[] = [];
  const app = createApp({
    database,
    metrics: new Metrics(),
    bodyLimitBytes: 2 * 1024 * 1024,
    log: (m, err) => logged.push(`${m}: ${String(err)}`),
    apiKeys: options.apiKeys ?? [API_KEY],
    shopifySecret: SHOPIFY_SECRET,
    ingestSecrets: { crm: INGEST_SECRET },
    now: options.now ?? (() => NOW),
    ...(options.mergePolicy && { mergePolicy: options.mergePolicy }),
    ...(options.suppressionKey && { suppressionKey: options.suppressionKey }),
  });
  return { app, logged };
}

export const authed = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const fixture = (name: string): string => readFileSync(new URL(`../fixtures/shopify/${name}.json`, import.meta.url), 'utf8');

export function shopifyRequest(body: string, topic: string, webhookId: string, secret = SHOPIFY_SECRET): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-shop-domain': 'almanac-demo.myshopify.com',
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body, 'utf8').digest('base64'),
    },
    body,
  };
}

export function standardRequest(body: string, id: string, at: Date, secret = INGEST_SECRET): RequestInit {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    },
    body,
  };
}

/** Row counts of the tables ingestion writes. */
export async function counts(database: Database) {
  const r = await database.db.execute(sql`select
    (select count(*) from events)::int as events, (select count(*) from contacts)::int as contacts,
    (select count(*) from orders)::int as orders, (select count(*) from consent_records)::int as consent,
    (select count(*) from webhook_receipts)::int as receipts`);
  return rowsOf<{ events: number; contacts: number; orders: number; consent: number; receipts: number }>(r)[0]!;
}
