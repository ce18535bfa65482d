import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { Metrics } from '../../../src/metrics';
import { createRenderer } from '../../../src/render/renderer-files';
import { createLogger } from '../../../src/lib/log';
import { createDispatcher, type DispatcherOptions } from '../../../src/scheduler/dispatch';
import type { OutgoingMessage, SendOutcome, Transport } from '../../../src/sending/transport';
import type { Database } from '../../../src/storage/db';
import { rowsOf } from '../../../src/storage/sql-values';
import { campaignVersions, consentRecords, contacts, runs, sends } from '../../../src/storage/schema/index';

/** Prerequisite rows for the dispatcher, inserted directly: contact, campaign version, run, send. */

export const testTemplatesDir = fileURLToPath(new URL('./templates/', import.meta.url));
export const sampleTemplatesDir = fileURLToPath(new URL('../../../templates/', import.meta.url));
export const SUPPRESSION_KEY = 'test-suppression-key';
export const FROM = 'Shop <news@shop.example>';

export async function resetTables(database: Database): Promise<void> {
  await database.db.execute(
    sql`truncate contacts, campaign_versions, suppressions, outbox_messages, runtime_flags restart identity cascade`,
  );
}

let versionCounter = 0;

export interface QueueOptions {
  email?: string | null;
  attributes?: Record<string, unknown>;
  /** Consent for `purpose` granted at queue time (default true). */
  consent?: boolean;
  purpose?: string;
  campaign?: string;
  template?: string;
  trigger?: { type: string; properties: Record<string, unknown> };
  payload?: Record<string, unknown>;
  notBefore: Date;
}

/** One contact with one queued send (count > 1: that many contacts, each with one send). */
export async function queueSends(database: Database, o: QueueOptions, count = 1): Promise<Array<{ contactId: number; sendId: number }>> {
  const db = database.db;
  const campaign = o.campaign ?? 'welcome';
  const purpose = o.purpose ?? 'email.marketing';
  const [version] = await db
    .insert(campaignVersions)
    .values({
      campaign,
      version: ++versionCounter,
      contentHash: `h-${campaign}-${versionCounter}`,
      source: '',
      plan: { name: `The ${campaign} campaign` },
    })
    .returning({ id: campaignVersions.id });
  const people = await db
    .insert(contacts)
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: o.email === undefined ? `person${Math.random().toString(36).slice(2)}${i}@example.com` : o.email,
        attributes: o.attributes ?? {},
      })),
    )
    .returning({ id: contacts.id });
  if (o.consent ?? true) {
    await db.insert(consentRecords).values(
      people.map((p) => ({
        contactId: p.id,
        purpose,
        granted: true,
        source: 'test',
        occurredAt: new Date(o.notBefore.getTime() - 86_400_000),
      })),
    );
  }
  const trigger = o.trigger ?? { type: 'contact.created', properties: {} };
  const runRows = await db
    .insert(runs)
    .values(
      people.map((p) => ({
        campaignVersionId: version!.id,
        campaign,
        contactId: p.id,
        entryKey: `entry-${p.id}`,
        state: { v: 1, at: null, phase: 'ready', splits: {}, trigger: { ...trigger, occurredAt: o.notBefore.toISOString() } },
        startedAt: o.notBefore,
      })),
    )
    .returning({ id: runs.id, contactId: runs.contactId });
  const sendRows = await db
    .insert(sends)
    .values(
      runRows.map((r) => ({
        runId: r.id,
        stepKey: 'steps[0]',
        contactId: r.contactId,
        campaign,
        campaignVersionId: version!.id,
        template: o.template ?? 'hello',
        purpose,
        priority: 50,
        payload: o.payload ?? {},
        notBefore: o.notBefore,
      })),
    )
    .returning({ id: sends.id, contactId: sends.contactId });
  return sendRows.map((s) => ({ contactId: s.contactId, sendId: s.id }));
}

/** One contact with one queued send. */
export async function queueOne(database: Database, o: QueueOptions): Promise<{ contactId: number; sendId: number }> {
  const [one] = await queueSends(database, o);
  return one!;
}

export interface SendRow {
  id: number;
  status: string;
  reason: string | null;
  attempts: number;
  not_before: string;
  provider_message_id: string | null;
  last_error: string | null;
  sent_at: string | null;
}

export async function sendRow(database: Database, id: number): Promise<SendRow> {
  const [row] = rowsOf<SendRow>(
    await database.db.execute(sql`select id, status, reason, attempts, to_json(not_before) #>> '{}' as not_before,
      provider_message_id, last_error, to_json(sent_at) #>> '{}' as sent_at from sends where id = ${id}`),
  );
  return { ...row!, id: Number(row!.id), attempts: Number(row!.attempts) };
}

export async function attemptsOf(
  database: Database,
  sendId: number,
): Promise<Array<{ attempt: number; outcome: string; error: string | null }>> {
  return rowsOf<{ attempt: number; outcome: string; error: string | null }>(
    await database.db.execute(sql`select attempt, outcome, error from send_attempts where send_id = ${sendId} order by attempt`),
  );
}

/** A transport answering with `respond` and remembering every call. */
export function fakeTransport(respond: (message: OutgoingMessage, call: number) => SendOutcome | Promise<SendOutcome>) {
  const calls: OutgoingMessage[] = [];
  const transport: Transport = {
    name: 'fake',
    async send(message) {
      calls.push(message);
      return respond(message, calls.length);
    },
  };
  return { transport, calls };
}

export function testDispatcher(database: Database, transport: Transport, overrides: Partial<DispatcherOptions> = {}) {
  const metrics = overrides.metrics ?? new Metrics();
  const phase = createDispatcher({
    database,
    transport,
    renderer: createRenderer({ templatesDir: testTemplatesDir }),
    from: FROM,
    suppressionKey: SUPPRESSION_KEY,
    batchSize: 50,
    leaseMs: 60_000,
    random: () => 0.5,
    metrics,
    log: createLogger('silent'),
    ...overrides,
  });
  return { phase, metrics };
}
