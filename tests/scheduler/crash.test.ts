import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { has } from '../helpers/capabilities';
import { useTestDatabase } from '../helpers/db';
import { HOUR, applyInline, at, engine, ingest, plus, query } from '../helpers/engine';

// A worker process dying mid-tick can only be shown with a networked PostgreSQL: PGlite lives
// inside one process and dies with it.
const runs = has('postgres', 'a worker killed mid-tick');
const t = useTestDatabase('scheduler_crash');
const T0 = at('2026-11-23T10:00:00Z');

const campaign = `campaign: nudge
purpose: email.transactional
trigger:
  event: nudge.requested
steps:
  - wait: 1h
  - send: welcome-1
`;

/** A separate process that claims every due run as a ticker does, prints "claimed N", then hangs. */
function claimingWorker(schema: string, now: Date) {
  const script = `
    import postgres from 'postgres';
    const sql = postgres(process.env.DATABASE_URL, { max: 1, connection: { search_path: '"' + process.env.CLAIM_SCHEMA + '"' } });
    await sql.begin(async (tx) => {
      const rows = await tx\`select id from runs where status = 'active' and next_wake_at <= \${process.env.CLAIM_AT}::timestamptz
                             for update skip locked\`;
      process.stdout.write('claimed ' + rows.length + '\\n');
      await new Promise(() => {}); // crash "mid-tick": never commits
    });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    env: { ...process.env, CLAIM_SCHEMA: schema, CLAIM_AT: now.toISOString() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const claimed = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /claimed (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, claimed, exited };
}

describe.runIf(runs)('a worker killed mid-tick', () => {
  it('holds its runs while alive; once killed, another worker steps each of them exactly once', { timeout: 60_000 }, async () => {
    await applyInline(t.database, { 'campaigns/nudge.yaml': campaign }, ['welcome-1'], T0);
    const events = Array.from({ length: 50 }, (_, i) => ({
      id: `n-${i}`,
      type: 'nudge.requested',
      occurred_at: T0.toISOString(),
      contact: { id: `n-${i}`, email: `n${i}@example.com` },
      properties: {},
    }));
    await ingest(t.database, events, T0);
    const { tick } = engine(t.database, { dispatch: true });
    await tick(T0);
    const due = plus(T0, HOUR);

    const worker = claimingWorker(t.schema, due);
    try {
      expect(await worker.claimed).toBe(50);
      // While the doomed worker holds the rows, a healthy one skips them instead of waiting.
      expect((await tick(due)).runs).toBe(0);
      worker.child.kill('SIGKILL');
      await worker.exited;
      // PostgreSQL notices the dropped connection and rolls the claim back; poll until free.
      let stepped = 0;
      for (let i = 0; i < 50 && stepped === 0; i++) {
        stepped = (await tick(due)).runs ?? 0;
        if (stepped === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(stepped).toBe(50);
      await tick(due); // each run goes on after its send was settled, and completes
    } finally {
      worker.child.kill('SIGKILL');
    }
    const [row] = await query<{ sends: number; distinct_steps: number; completed: number }>(
      t.database,
      sql`select count(*)::int as sends, count(distinct (run_id, step_key))::int as distinct_steps,
                 (select count(*)::int from runs where status = 'completed') as completed from sends`,
    );
    expect(row).toEqual({ sends: 50, distinct_steps: 50, completed: 50 });
  });
});
