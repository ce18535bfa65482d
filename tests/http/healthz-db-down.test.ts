import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { openDb } from '../../src/storage/open';
import { has } from '../helpers/capabilities';
import { tcpProxy } from '../helpers/net';

// Only a networked PostgreSQL can go away under a running server; PGlite lives in-process.
const runs = has('postgres', '/healthz while the database is down');

describe.runIf(runs)('/healthz when PostgreSQL goes away and comes back', () => {
  it('answers 503 while the database is unreachable, keeps serving, and recovers', async () => {
    const target = new URL(process.env.DATABASE_URL!);
    const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(target);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const database = await openDb({ kind: 'postgres', url: viaProxy.toString(), schema: 'public', poolMax: 2, connectTimeoutSeconds: 1 });
    const app = createApp({ database, metrics: new Metrics(), bodyLimitBytes: 1024, log: () => {} });
    try {
      expect((await app.request('/healthz')).status).toBe(200);

      await proxy.cut();
      const down = await app.request('/healthz');
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'unavailable', database: 'postgres' });
      expect((await app.request('/nowhere')).status).toBe(404); // the server itself keeps answering

      await proxy.restore();
      // postgres.js reconnects on the next query; the first may still see the dropped socket.
      let status = 0;
      for (let i = 0; i < 10 && status !== 200; i++) status = (await app.request('/healthz')).status;
      expect(status).toBe(200);
    } finally {
      await database.close();
      await proxy.close();
    }
  });
});
