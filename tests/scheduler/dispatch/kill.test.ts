import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { has } from '../../helpers/capabilities';
import { useTestDatabase } from '../../helpers/db';
import { query } from '../../helpers/engine';
import { fakeTransport, queueSends, resetTables, sendRow, testDispatcher } from './fixtures';

// A dispatcher process dying can only be shown with a networked PostgreSQL: PGlite lives inside
// one process and dies with it.
const runs = has('postgres', 'a dispatcher process killed mid-batch');
const t = useTestDatabase('dispatch_kill');
const now = new Date('2026-11-23T10:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

/** Start tests/scheduler/dispatch/doomed-worker.ts and resolve once it prints a line matching `until`. */
function doomedWorker(mode: 'after-claim' | 'in-call', until: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/scheduler/dispatch/doomed-worker.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, MODE: mode, CLAIM_SCHEMA: t.schema, CLAIM_AT: now.toISOString() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const reached = new Promise<string[]>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      lines.push(...d.toString().split('\n').filter(Boolean));
      if (lines.some((l) => until.test(l))) resolve(lines);
    });
    child.on('exit', (code) => reject(new Error(`worker exited early (${code}): ${lines.join(' | ')}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, reached, exited };
}

/** Run the doomed worker until it prints `until`, let `meanwhile` look, then SIGKILL it; returns what it printed. */
async function killWhen(mode: 'after-claim' | 'in-call', until: RegExp, meanwhile: () => Promise<void> = async () => {}) {
  const worker = doomedWorker(mode, until);
  try {
    const lines = await worker.reached;
    await meanwhile();
    worker.child.kill('SIGKILL');
    await worker.exited;
    return lines;
  } finally {
    worker.child.kill('SIGKILL');
  }
}

const statuses = () =>
  query<{ status: string; n: number }>(t.database, sql`select status, count(*)::int as n from sends group by status order by status`);

describe.runIf(runs)('a dispatcher process killed mid-batch', () => {
  beforeEach(() => resetTables(t.database));

  it('SIGKILLed right after its claim: after the lease every send is delivered, each exactly once', { timeout: 60_000 }, async () => {
    const queued = await queueSends(t.database, { notBefore: now }, 20);
    await killWhen('after-claim', /stuck after claim/, async () => {
      expect(await statuses()).toEqual([{ status: 'sending', n: 20 }]);
    });
    const { transport, calls } = fakeTransport((m) => ({ status: 'sent', providerMessageId: `p-${m.sendId}` }));
    const { phase } = testDispatcher(t.database, transport);
    await phase.run(later(59_000)); // still leased: nobody may touch them
    expect(calls).toHaveLength(0);
    await phase.run(later(61_000)); // the lease ran out: nothing was handed over, so all go back and out
    await phase.run(later(3_600_000));
    expect(calls.map((c) => c.sendId).sort((a, b) => a - b)).toEqual(queued.map((q) => q.sendId));
    expect(await statuses()).toEqual([{ status: 'sent', n: 20 }]);
  });

  it(
    'SIGKILLed while the provider call was in flight: that send is unknown and never resent; the rest go once',
    { timeout: 60_000 },
    async () => {
      const queued = await queueSends(t.database, { notBefore: now }, 5);
      const lines = await killWhen('in-call', /in call \d+/);
      const inFlight = Number(/in call (\d+)/.exec(lines.find((l) => l.startsWith('in call'))!)![1]);
      const { transport, calls } = fakeTransport((m) => ({ status: 'sent', providerMessageId: `p-${m.sendId}` }));
      const { phase } = testDispatcher(t.database, transport);
      await phase.run(later(61_000));
      await phase.run(later(3_600_000));
      expect(await sendRow(t.database, inFlight)).toMatchObject({ status: 'unknown', reason: expect.stringContaining('lease expired') });
      const others = queued.map((q) => q.sendId).filter((id) => id !== inFlight);
      expect(calls.map((c) => c.sendId).sort((a, b) => a - b)).toEqual(others);
      expect(await statuses()).toEqual([
        { status: 'sent', n: 4 },
        { status: 'unknown', n: 1 },
      ]);
    },
  );
});
