import { desc, eq } from 'drizzle-orm';
import type { Tx } from './db';
import { outboxMessages } from './schema/index';

export interface NewOutboxMessage {
  sendId: number;
  messageId: string;
  to: string;
  from: string;
  subject: string;
  raw: string;
  createdAt: Date;
}

/** Store one message the outbox transport "sent". */
export async function insertOutboxMessage(tx: Tx, row: NewOutboxMessage): Promise<void> {
  await tx.insert(outboxMessages).values(row);
}

/** A stored message: its send may since have been erased with its contact. */
export interface StoredOutboxMessage extends Omit<NewOutboxMessage, 'sendId'> {
  id: number;
  sendId: number | null;
}

/** The newest `limit` messages, newest first (ties by id, so the order is stable). */
export async function listOutboxMessages(tx: Tx, limit: number): Promise<StoredOutboxMessage[]> {
  return tx.select().from(outboxMessages).orderBy(desc(outboxMessages.createdAt), desc(outboxMessages.id)).limit(limit);
}

/** One stored message by id, or undefined. */
export async function getOutboxMessage(tx: Tx, id: number): Promise<StoredOutboxMessage | undefined> {
  const [row] = await tx.select().from(outboxMessages).where(eq(outboxMessages.id, id)).limit(1);
  return row;
}
