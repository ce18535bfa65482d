import { sql } from 'drizzle-orm';
import { createLogger } from '../../../src/lib/log';
import type { DispatcherOptions } from '../../../src/scheduler/dispatch';
import { createOutboxTransport } from '../../../src/sending/outbox';
import type { Database } from '../../../src/storage/db';
import { events } from '../../../src/storage/schema/index';
import { idArray, rowsOf, ts } from '../../../src/storage/sql-values';
import { queueSends, testDispatcher } from '../dispatch/fixtures';

/** The complaint-rate tests' set-up: sent history, complaints, and a dispatcher on the outbox that logs to an array. */

export const DAY = 86_400_000;

/** `count` marketing sends (one contact each) already `sent` at `sentAt`. Returns their contacts and send ids. */
export async function sentHistory(database: Database, count: number, sentAt: Date, purpose = 'email.marketing') {
  const rows = await queueSends(database, { notBefore: new Date(sentAt.getTime() - 60_000), purpose }, count);
  await database.db.execute(sql`update sends set status = 'sent', sent_at = ${ts(sentAt)}, settled_at = ${ts(sentAt)},
    attempts = 1, provider_message_id = 'ses-' || id where id = any(${idArray(rows.map((r) => r.sendId))})`);
  return rows;
}

let complaintCounter = 0;

/** `email.complained` events as applySesFeedback records them, one per contact given, at `at`. */
export async function complaints(database: Database, contacts: Array<{ contactId: number; sendId: number }>, at: Date): Promise<void> {
  if (contacts.length === 0) return;
  await database.db.insert(events).values(
    contacts.map((c) => ({
      dedupeKey: `ses:complaint-${++complaintCounter}`,
      type: 'email.complained',
      contactId: c.contactId,
      properties: { send_id: c.sendId, campaign: 'welcome', template: 'hello', feedback_type: 'abuse' },
      occurredAt: at,
      receivedAt: at,
      source: 'ses',
      processedAt: at,
    })),
  );
}

/** A dispatcher on the outbox with the default guard (or `overrides`), whose log lines land in `lines`. */
export function guardedDispatcher(database: Database, overrides: Partial<DispatcherOptions> = {}) {
  const lines: string[] = [];
  const { phase, metrics } = testDispatcher(database, createOutboxTransport({ database }), {
    log: createLogger('info', (l) => lines.push(l)),
    ...overrides,
  });
  return { phase, metrics, lines };
}

export async function statusOf(database: Database, sendId: number): Promise<{ status: string; attempts: number }> {
  const [row] = rowsOf<{ status: string; attempts: number }>(
    await database.db.execute(sql`select status, attempts from sends where id = ${sendId}`),
  );
  return { status: row!.status, attempts: Number(row!.attempts) };
}

export async function outboxCount(database: Database): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from outbox_messages`));
  return Number(row!.n);
}
