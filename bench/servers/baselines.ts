/**
 * The HTTP baselines, each as simple and honest as a developer would write it in an afternoon
 * (Hono on @hono/node-server, postgres.js), in a process of its own like the Almanac server:
 *
 *   ceiling          POST /v1/events → 202, no database (the HTTP stack's ceiling)
 *   naive            POST /v1/events → one autocommit INSERT … ON CONFLICT DO NOTHING, then 202
 *   redirect         GET /c/:id → 302 to a fixed target, no database
 *   redirect-insert  GET /c/:id → INSERT the click, then 302
 *
 *   PORT=… DATABASE_URL=… BENCH_SCHEMA=… tsx bench/servers/baselines.ts MODE
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';

const mode = process.argv[2];
const sql = process.env.DATABASE_URL
  ? postgres(process.env.DATABASE_URL, { max: 10, onnotice: () => {}, connection: { search_path: process.env.BENCH_SCHEMA ?? 'public' } })
  : undefined;
const app = new Hono();
app.get('/healthz', (c) => c.json({ ok: true }));
if (mode === 'ceiling') app.post('/v1/events', async (c) => (await c.req.json(), c.json({ accepted: 1 }, 202)));
else if (mode === 'naive')
  app.post('/v1/events', async (c) => {
    const e = (await c.req.json()) as { id: string; type: string; contact: unknown; properties: unknown; occurred_at?: string };
    await sql!`insert into naive_events (dedupe_key, type, contact, properties, occurred_at)
      values (${e.id}, ${e.type}, ${sql!.json(e.contact as never)}, ${sql!.json(e.properties as never)}, ${e.occurred_at ?? new Date().toISOString()})
      on conflict (dedupe_key) do nothing`;
    return c.json({ accepted: 1 }, 202);
  });
else if (mode === 'redirect') app.get('/c/:id', (c) => c.redirect('https://shop.example/products/mug', 302));
else if (mode === 'redirect-insert')
  app.get('/c/:id', async (c) => {
    await sql!`insert into naive_clicks (link, ip, user_agent) values (${c.req.param('id')}, ${'127.0.0.1'}, ${c.req.header('user-agent') ?? ''})`;
    return c.redirect('https://shop.example/products/mug', 302);
  });
else throw new Error(`unknown mode ${mode}: ceiling, naive, redirect or redirect-insert`);

serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
