import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { Metrics } from '../../src/metrics';
import { createRenderer } from '../../src/render/renderer-files';
import { createLogger } from '../../src/lib/log';
import { createDispatcher } from '../../src/scheduler/dispatch';
import { createRateLimiter } from '../../src/sending/rate-limit';
import type { Transport } from '../../src/sending/transport';
import type { BenchCase } from '../lib/case';
import { migratedSchema } from '../lib/pg';

const SCHEMA = 'bench_dispatch_rate';
const LATENCY_MS = 50;

/**
 * Case 6: the real dispatcher (claim, gate, caps, render, settle) tick after tick on the wall
 * clock, with the shared rate limiter at RATE messages/s, against a stub provider that answers
 * each send after 50 ms (a realistic SES round trip). The baseline is the configured rate
 * itself; the figure is the paced part: (sends − burst) / (last send − first send). Also
 * checked: no second ever holds more than burst + rate sends (the bucket is never exceeded).
 */
export const dispatch: BenchCase = {
  id: 'dispatch',
  title: 'Dispatch at a configured rate (50 ms stub)',
  baseline: 'the configured rate',
  unit: 'sends/s',
  better: 'higher',
  target: { ratio: 0.95, text: '≥ 95 % sustained' },
  sizes: { quick: [500], full: [500] },
  needsPostgres: true,
  async run(ctx, rate) {
    const seconds = ctx.quick ? 4 : 20;
    const total = rate * seconds;
    const templatesDir = mkdtempSync(join(tmpdir(), 'almanac-bench-'));
    mkdirSync(join(templatesDir, 'note'));
    writeFileSync(join(templatesDir, 'note', 'subject.hbs'), 'Hello {{default contact.first_name "there"}}');
    writeFileSync(join(templatesDir, 'note', 'html.hbs'), '<p>Hi {{default contact.first_name "there"}}, from {{campaign.name}}.</p>');
    writeFileSync(join(templatesDir, 'note', 'text.hbs'), 'Hi {{default contact.first_name "there"}}, from {{campaign.name}}.');
    const fresh = await migratedSchema(ctx.databaseUrl!, SCHEMA);
    const { database } = fresh;
    try {
      const past = new Date(Date.now() - 86_400_000).toISOString();
      await database.db.execute(sql`
        insert into campaign_versions (campaign, version, content_hash, source, plan) values ('bench', 1, 'h', '', '{"name":"Bench"}')`);
      await database.db.execute(sql`insert into contacts (email) select 'p' || g || '@example.com' from generate_series(1, ${total}) g`);
      await database.db.execute(sql`
        insert into consent_records (contact_id, purpose, granted, source, occurred_at)
        select id, 'email.marketing', true, 'bench', ${past}::timestamptz from contacts`);
      await database.db.execute(sql`
        insert into runs (campaign_version_id, campaign, contact_id, entry_key, state, started_at)
        select 1, 'bench', id, 'e' || id, '{"v":1,"at":null,"phase":"ready","splits":{},"trigger":{"type":"bench","properties":{}}}'::jsonb, ${past}::timestamptz
        from contacts`);
      await database.db.execute(sql`
        insert into sends (run_id, step_key, contact_id, campaign, campaign_version_id, template, purpose, priority, not_before)
        select id, 'steps[0]', contact_id, 'bench', 1, 'note', 'email.marketing', 50, ${past}::timestamptz from runs`);
      const calls: number[] = [];
      const stub: Transport = {
        name: 'stub',
        async send(message) {
          calls.push(performance.now());
          await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
          return { status: 'sent', providerMessageId: `stub-${message.sendId}` };
        },
      };
      const burst = rate;
      const phase = createDispatcher({
        database,
        transport: stub,
        rateLimiter: createRateLimiter({ database, name: 'ses:bench', ratePerSecond: rate, burst, clock: () => new Date() }),
        renderer: createRenderer({ templatesDir }),
        from: 'Bench <bench@shop.example>',
        suppressionKey: 'bench-suppression-key',
        batchSize: 500,
        leaseMs: 60_000,
        // Calls in flight: the dispatcher's default for this rate (defaultConcurrency), as a server runs it.
        metrics: new Metrics(),
        log: createLogger('silent'),
      });
      const started = performance.now();
      while (calls.length < total && performance.now() - started < (seconds * 3 + 30) * 1000) await phase.run(new Date());
      if (calls.length < total) throw new Error(`dispatch: ${calls.length} of ${total} sends reached the provider`);
      const elapsed = (calls[calls.length - 1]! - calls[0]!) / 1000;
      const paced = (calls.length - burst) / elapsed;
      let busiest = 0;
      for (let i = 0, j = 0; i < calls.length; i++) {
        while (calls[j]! < calls[i]! - 1000) j++;
        busiest = Math.max(busiest, i - j + 1);
      }
      return { almanac: paced, baseline: rate, checks: [{ name: 'busiest 1 s window', value: busiest, unit: 'sends', max: burst + rate }] };
    } finally {
      await fresh.drop();
      rmSync(templatesDir, { recursive: true, force: true });
    }
  },
};
