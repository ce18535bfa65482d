import type { Database } from '../../../src/storage/db';
import { createApp } from '../../../src/http/app';
import { Metrics } from '../../../src/metrics';
import { API_KEY, NOW } from './setup';

/** The app on the test database with one API key and a fixed clock (NOW unless given). */
export function calendarApp(database: Database, options: { apiKeys?: string[]; now?: Date } = {}) {
  return createApp({
    database,
    metrics: new Metrics(),
    bodyLimitBytes: 1024 * 1024,
    log: (msg, err) => console.error(msg, err),
    apiKeys: options.apiKeys ?? [API_KEY],
    now: () => options.now ?? NOW,
  });
}

export const bearer = { headers: { authorization: `Bearer ${API_KEY}` } };
