import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/runtime/cli';
import type { SimulationReport } from '../../src/simulate/report';

/**
 * `almanac simulate` as a marketer runs it (src/cli/main.ts with captured output): the same input
 * prints the same bytes, `--json` says what the text says, and mistakes are named where they are.
 * simulate always runs on its own in-memory PGlite, so this file needs no test database.
 */
async function almanac(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { env: {}, out: (s) => (out += s), err: (s) => (err += s), cwd: process.cwd() });
  return { code, out, err };
}

const CART = ['simulate', '--events', 'examples/abandoned-cart.ndjson', '--from', '2026-11-23T00:00:00Z', '--to', '2026-11-26T00:00:00Z'];
const scratch = mkdtempSync(join(tmpdir(), 'almanac-simulate-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('almanac simulate', () => {
  // Three simulations, each on a fresh in-memory PGlite: seconds each on a busy machine.
  it('prints byte-identical output for the same input, and --json says the same as the text', { timeout: 120_000 }, async () => {
    const first = await almanac(...CART);
    const second = await almanac(...CART);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(second.out).toBe(first.out);
    // Steps by what they do (the key stays in --json).
    // On each contact's clock (UTC stays in --json).
    expect(first.out).toMatch(/^Mon 2026-11-23 15:00 Europe\/Warsaw +dan +abandoned-cart +send cart-reminder +sent cart-reminder$/m);
    expect(first.out).toMatch(/^Mon 2026-11-23 11:00 Europe\/Warsaw +ada +abandoned-cart +- +holdout held out for lift \(holdout: 10%\)/m);

    const json = await almanac(...CART, '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out) as SimulationReport;
    const entries = report.timeline;
    expect({ from: report.from, to: report.to }).toEqual({ from: '2026-11-23T00:00:00Z', to: '2026-11-26T00:00:00Z' });
    // The text's rows, between the header and the first blank line, one per entry.
    const [table, absent, perCampaign, ends] = first.out.split('\n\n') as [string, string, string, string];
    const rows = table.split('\n').slice(1);
    expect(rows).toHaveLength(entries.length);
    // Who did not enter, as in the JSON: one line per campaign and reason, naming everyone it applies to.
    const lines = absent.trim().split('\n').slice(1);
    expect(lines).toHaveLength(new Set(report.not_entered.map((n) => `${n.campaign}\u0000${n.detail}`)).size);
    for (const n of report.not_entered) {
      const line = lines.find((l) => l.endsWith(` did not enter ${n.campaign}: ${n.detail}`));
      expect(
        line
          ?.trim()
          .split(' did not enter ')[0]!
          .split(/, | and /),
        `${n.contact} / ${n.campaign}`,
      ).toContain(n.contact);
    }
    expect(absent).toContain('\n  ada, ben, cleo and dan did not enter welcome: no contact.created event\n');
    // Ada is the holdout: listed, with why; every sample campaign nobody triggered says so for everyone.
    expect(absent).toContain('ada did not enter abandoned-cart: held out for lift (holdout: 10%): a run is recorded, no email goes out');
    // A segment trigger says what the contact lacks for the segment.
    expect(absent).toMatch(
      /^ {2}ben and cleo did not enter win-back: never in segment churning-customers \(lifecycle stage is new, not churning\)$/m,
    );
    // The per-campaign numbers are the JSON's.
    const cart = report.summary.find((s) => s.campaign === 'abandoned-cart')!;
    expect(cart).toMatchObject({ entered: 3, held_out: 1, sent: 3, not_entered: 0 });
    expect(perCampaign).toMatch(/^abandoned-cart +3 +1 +0 +3 +0 +0 +0 +0$/m);
    expect(perCampaign).toMatch(/^newsletter +4 +0 +0 +4 +2 +0 +0 +0$/m);
    // Why each run ended: Ben and Cleo bought (exit_on, which is also the goal); Dan went through.
    expect(ends).toMatch(/^ {2}abandoned-cart +2 +left: order\.created happened \(exit_on; the campaign's goal\)$/m);
    expect(ends).toMatch(/^ {2}abandoned-cart +1 +completed: reached the end of its steps$/m);
    expect(cart.ended).toEqual([
      { reason: 'exit_on:order.created', words: "left: order.created happened (exit_on; the campaign's goal)", runs: 2 },
      { reason: 'completed', words: 'completed: reached the end of its steps', runs: 1 },
    ]);
    rows.forEach((row, i) => {
      // Columns are separated by two or more spaces (a label such as "send cart-reminder" has one).
      const [time, contact, campaign, label, rest] = row.split(/ {2,}/);
      const [outcome, ...detail] = rest!.split(' ');
      const e = entries[i]!;
      expect({ time, contact, campaign, label, outcome, detail: detail.join(' ') }).toEqual({
        time: e.local,
        contact: e.contact,
        campaign: e.campaign,
        label: e.label,
        outcome: e.outcome,
        detail: e.detail,
      });
      if (e.label !== '-') expect(e.step).toMatch(/^steps\[|^[a-z]/);
    });
  });

  it('exits 1 naming file:line of a line that is not JSON, or not an event', async () => {
    const good =
      '{"id":"e1","type":"contact.created","occurred_at":"2026-11-23T10:00:00Z","contact":{"id":"zoe","email":"zoe@example.com"}}';
    const notJson = join(scratch, 'not-json.ndjson');
    writeFileSync(notJson, `# a comment\n${good}\n{"id": "e2", "type": \n`);
    const a = await almanac('simulate', '--events', notJson, '--from', '2026-11-23T00:00:00Z', '--to', '2026-11-24T00:00:00Z');
    expect(a.code).toBe(1);
    expect(a.err).toContain(`${notJson}:3: not JSON`);
    expect(a.out).toBe('');

    const badTime = join(scratch, 'bad-time.ndjson');
    writeFileSync(badTime, `${good}\n\n${good.replace('"e1"', '"e2"').replace('2026-11-23T10:00:00Z', 'next tuesday')}\n`);
    const b = await almanac('simulate', '--events', badTime, '--from', '2026-11-23T00:00:00Z', '--to', '2026-11-24T00:00:00Z');
    expect(b.code).toBe(1);
    expect(b.err).toMatch(new RegExp(`${badTime.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: .*occurred_at`));
  });

  it('exits 2 with the usage when --from is missing', async () => {
    const r = await almanac('simulate', '--events', 'examples/abandoned-cart.ndjson', '--to', '2026-11-26T00:00:00Z');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--from is required');
    expect(r.err).toContain('Usage: almanac simulate');
    expect(r.out).toBe('');
  });
});
