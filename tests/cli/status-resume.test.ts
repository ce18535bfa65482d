import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { almanacCli } from '../helpers/cli';
import { dispatchStatus, raiseDispatchPause, raiseMarketingPause } from '../../src/storage/dispatch-pause';
import { serveOnFreePort } from '../helpers/browser';
import { backend, useTestDatabase } from '../helpers/db';

/**
 * `almanac status` and `almanac resume` (what replaces "delete from runtime_flags"), with `main`
 * from src/runtime/cli: on the test database through the local adapter, and through a real server
 * (ALMANAC_URL, the admin API). Both print the same.
 */
const t = useTestDatabase('cli_status_resume');
const ADMIN_KEY = 'admin-key-status-0a9c';
const NOW = new Date('2026-11-24T10:00:00Z');
let server: Awaited<ReturnType<typeof serveOnFreePort>>;

beforeAll(async () => {
  const app = createApp({
    database: t.database,
    metrics: new Metrics(),
    bodyLimitBytes: 65_536,
    log: () => {},
    adminKeys: [ADMIN_KEY],
    now: () => NOW,
  });
  server = await serveOnFreePort(app.fetch);
});
afterAll(() => server.close());

const almanac = (how: 'remote' | 'local', args: string[]) =>
  almanacCli(args, how === 'local' ? { local: t.database } : { remote: { base: server.base, key: ADMIN_KEY } });

describe(`almanac status and resume on ${backend}`, () => {
  it('say what holds dispatch and clear it, the same locally and through the server', async () => {
    expect(await almanac('local', ['status'])).toEqual({ code: 0, out: 'dispatch: sending (no pause raised)\n', err: '' });
    await raiseDispatchPause(
      t.database.db,
      { reason: 'AccountSendingPausedException: sending paused', transport: 'ses', since: NOW.toISOString() },
      NOW,
    );
    await raiseMarketingPause(
      t.database.db,
      {
        cause: 'complaint_rate',
        reason: 'complaint rate 0.41% (5 of 1210 marketing sends in 7 days) is over 0.30%',
        identity: 'shop.example',
        complaints: 5,
        sent: 1210,
        rate: 5 / 1210,
        maxRate: 0.003,
        windowStart: '2026-11-17T10:00:00.000Z',
        since: NOW.toISOString(),
      },
      NOW,
    );
    const local = await almanac('local', ['status']);
    const remote = await almanac('remote', ['status']);
    expect(local.out).toContain('dispatch: PAUSED\n');
    expect(local.out).toContain('account pause (holds all sends) since 2026-11-24T10:00:00.000Z: AccountSendingPausedException');
    expect(local.out).toContain('complaint-rate pause (holds marketing; transactional mail still goes)');
    expect(local.out).toContain('complaint rate 0.41% (5 of 1210');
    expect(remote).toEqual({ code: 0, out: local.out, err: `almanac status: through the Almanac server at ${server.base}\n` });
    const json = JSON.parse((await almanac('remote', ['status', '--json'])).out) as { pauses: Array<{ kind: string }> };
    expect(json.pauses.map((p) => p.kind).sort()).toEqual(['account', 'complaint_rate']);

    const resumed = await almanac('remote', ['resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/^resumed: cleared\n {2}account pause .*\n {2}complaint-rate pause .*\n$/);
    expect((await dispatchStatus(t.database.db)).pauses).toEqual([]);
    expect(await almanac('local', ['resume'])).toEqual({ code: 0, out: 'nothing was paused: dispatch is sending\n', err: '' });
    expect((await almanac('local', ['status', 'extra'])).code).toBe(2);
  });
});
