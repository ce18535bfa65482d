import { bigint, timestamp } from 'drizzle-orm/pg-core';

/** Column helpers shared by every table: identity ids, timestamptz in JS Dates. */
export const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();
export const ref = (name: string) => bigint(name, { mode: 'number' });
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const createdAt = () => at('created_at').notNull().defaultNow();
