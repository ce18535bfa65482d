import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorker } from '../../src/runtime/worker';
import { has } from '../helpers/capabilities';
import { dropSchema, newSchemaName, useTestDatabase } from '../helpers/db';

/**
 * The Workers entry run in Node (the same module wrangler bundles): what it answers before and
 * around the app — bad bindings, a database behind on migrations, the Node-only routes. The whole
 * HTTP suite on workerd itself is tests/workers/.
 */
const ctx = { waitUntil: (p: Promise<unknown>) => void p.catch(() => {}) };
const get = (w: ReturnType<typeof createWorker>, path: string, env: Record<string, unknown>) =>
  w.fetch(new Request(`http://worker.test${path}`), env, ctx);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Workers entry: bindings', () => {
  it('answers every request 500 naming a missing DATABASE_URL, and logs it once per isolate', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const worker = createWorker();
    for (const path of ['/healthz', '/v1/events', '/c/abc']) {
      const res = await get(worker, path, { API_KEYS: 'k' });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { code: string; details: Array<{ variable: string }> } };
      expect(body.error.code).toBe('config_invalid');
      expect(body.error.details.map((d) => d.variable)).toEqual(['DATABASE_URL']);
    }
    await worker.scheduled({ scheduledTime: Date.parse('2026-12-03T10:00:00Z') }, { API_KEYS: 'k' });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0]![0])).toContain('DATABASE_URL');
  });

  it('names an invalid binding (and never echoes a secret), then recovers when the bindings are fixed', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const worker = createWorker();
    const env = { DATABASE_URL: 'postgres://127.0.0.1:1/x', TICK_BATCH_SIZE: 'lots', LINK_SIGNING_KEY: 'short' };
    const res = await get(worker, '/healthz', env);
    expect(res.status).toBe(500);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { details: Array<{ variable: string }> } };
    expect(body.error.details.map((d) => d.variable).sort()).toEqual(['LINK_SIGNING_KEY', 'TICK_BATCH_SIZE']);
    expect(text).not.toContain('short');
    const fixed = await get(worker, '/healthz', { DATABASE_URL: 'postgres://127.0.0.1:1/x' });
    expect(fixed.status).not.toBe(500); // configured now: the database is unreachable, which healthz reports itself
  });

  it('names a HYPERDRIVE binding that has no connection string', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await get(createWorker(), '/healthz', { HYPERDRIVE: {} });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { details: Array<{ variable: string }> } };
    expect(body.error.details[0]!.variable).toBe('HYPERDRIVE');
  });
});

describe.runIf(has('postgres', 'Workers entry on PostgreSQL'))('Workers entry: database', () => {
  const t = useTestDatabase('worker_entry');
  const env = () => ({ DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: t.schema, API_KEYS: 'k', ADMIN_API_KEYS: 'admin-key' });

  it('serves the app over postgres.js, with the Node-only routes answering 501 node_only', async () => {
    const worker = createWorker();
    const health = await get(worker, '/healthz', env());
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'postgres' });
    const admin = await worker.fetch(
      new Request('http://worker.test/v1/admin/plan', { method: 'POST', headers: { authorization: 'Bearer admin-key' }, body: '{}' }),
      env(),
      ctx,
    );
    expect(admin.status).toBe(501);
    expect(((await admin.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'node_only',
      message: expect.stringContaining('almanac apply'),
    });
    const imported = await worker.fetch(
      new Request('http://worker.test/v1/contacts/import', { method: 'POST', headers: { authorization: 'Bearer k' }, body: 'email\n' }),
      env(),
      ctx,
    );
    expect(imported.status).toBe(501);
  });

  it('answers 503 naming the missing migrations when the database was never migrated', async () => {
    const schema = newSchemaName('worker_unmigrated');
    try {
      const res = await get(createWorker(), '/healthz', { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: schema });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { message: string; details: { missing: string[] } } };
      expect(body.error.message).toContain('almanac migrate');
      expect(body.error.details.missing[0]).toBe('0000_init');
    } finally {
      await dropSchema(schema);
    }
  });
});
