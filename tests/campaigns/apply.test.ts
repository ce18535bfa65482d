import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { backend, openTestDb, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, applyInline, at, compileInline, engine, ingest, plus, query } from '../helpers/engine';
import { planText, sampleFiles, storedVersions, templates } from './fixtures';
import { SAMPLE_CAMPAIGNS } from '../helpers/samples';

const t = useTestDatabase('campaign_apply');
const T0 = at('2026-11-23T10:00:00Z');
const files = sampleFiles();
/** The files as last applied: each test edits what the one before it left. */
let current = files;
const edited = (path: string, from: string, to: string) => {
  if (!current[path]!.includes(from)) throw new Error(`${path} has no "${from}"`);
  return { ...current, [path]: current[path]!.replace(from, to) };
};
const without = (path: string) => Object.fromEntries(Object.entries(current).filter(([p]) => p !== path));

/** A new contact with marketing consent, as a signup form would send it. */
const signup = (n: number, when: Date) => {
  const contact = { id: `w-${n}`, email: `new${n}@example.com`, timezone: 'Europe/Warsaw' };
  return [
    {
      id: `w-consent-${n}`,
      type: 'consent.granted',
      occurred_at: when.toISOString(),
      contact,
      properties: { purpose: 'email.marketing', text: 'Send me news', text_version: 'v1', source: 'signup' },
    },
    { id: `w-created-${n}`, type: 'contact.created', occurred_at: when.toISOString(), contact, properties: {} },
  ];
};
const welcomeRuns = (n: number) =>
  query<{ version: number; status: string }>(
    t.database,
    sql`select v.version, r.status from runs r join campaign_versions v on v.id = r.campaign_version_id
        join contacts c on c.id = r.contact_id where r.campaign = 'welcome' and c.external_id = ${`w-${n}`}`,
  );

describe(`apply stores versions by content hash on ${backend}`, () => {
  it('the sample project is stored at version 1, campaigns plus calendar.yaml and segments.yaml', async () => {
    const result = await applyInline(t.database, files, templates, T0);
    const campaigns = [...SAMPLE_CAMPAIGNS];
    const all = [...campaigns.map((c) => `${c}@1`), 'calendar@1', 'segments@1'];
    expect(await storedVersions(t.database)).toEqual(all);
    expect(result.stored).toEqual([...campaigns.map((c) => `${c}@1`), 'calendar.yaml@1', 'segments.yaml@1']);
  });

  it('the same files again store nothing and the diff lists every file unchanged', async () => {
    const result = await applyInline(t.database, files, templates, T0);
    expect(result.stored).toEqual([]);
    expect(result.plan.changes).toEqual([]);
    expect(result.plan.unchanged).toEqual([...SAMPLE_CAMPAIGNS, 'calendar.yaml', 'segments.yaml']);
    expect(await storedVersions(t.database)).toHaveLength(11);
  });

  it('editing one campaign (its first wait 1h → 2h) stores version 2 of that campaign only', async () => {
    current = edited('campaigns/abandoned-cart.yaml', 'wait: 1h', 'wait: 2h');
    const result = await applyInline(t.database, current, templates, T0);
    expect(result.stored).toEqual(['abandoned-cart@2']);
    const [v2] = await query<{ ms: number }>(
      t.database,
      sql`select (plan->'steps'->0->>'ms')::bigint as ms from campaign_versions where campaign = 'abandoned-cart' and version = 2`,
    );
    expect(Number(v2!.ms)).toBe(2 * HOUR);
  });

  // DESIGN: "a new version when a file's content hash changes". For a campaign that is its file's
  // text, so a comment-only edit is a version too: the stored source is exactly what was applied,
  // and runs are unaffected (no step changed). calendar.yaml and segments.yaml are hashed by their
  // compiled form (src/campaigns/diff.ts), so a comment there stores nothing.
  it('a comment-only edit of a campaign file is a new version; of calendar.yaml it is not', async () => {
    const comment = (text: string) => `# reviewed by marketing\n${text}`;
    current = {
      ...current,
      'campaigns/newsletter.yaml': comment(current['campaigns/newsletter.yaml']!),
      'campaigns/calendar.yaml': comment(current['campaigns/calendar.yaml']!),
    };
    const plan = await planText(t.database, compileInline(current, templates));
    expect(plan).toContain(
      '  ~ campaign newsletter (version 1 → 2; running runs finish on version 1; new runs start on 2)\n' +
        '      (no step or setting changes: only the text of the file — comments, layout)\n',
    );
    expect((await applyInline(t.database, current, templates, T0)).stored).toEqual(['newsletter@2']);
  });

  it('removing a campaign file retires it: the plan says remove, and its trigger starts nothing more', async () => {
    const { tick } = engine(t.database);
    await ingest(t.database, signup(1, T0), T0);
    await tick(T0);
    expect(await welcomeRuns(1)).toEqual([{ version: 1, status: 'active' }]); // the trigger works while welcome is live

    const later = plus(T0, HOUR);
    const withoutWelcome = without('campaigns/welcome.yaml');
    expect(await planText(t.database, compileInline(withoutWelcome, templates))).toContain(
      '  - campaign welcome (retire version 1; no new runs start, 1 running run finishes on it)\n',
    );
    const result = await applyInline(t.database, withoutWelcome, templates, later);
    expect(result.stored).toEqual([]);
    expect(result.retired).toEqual(['welcome']);
    const [welcome] = await query<{ retired_at: Date | string }>(
      t.database,
      sql`select retired_at from campaign_versions where campaign = 'welcome'`,
    );
    expect(new Date(welcome!.retired_at).toISOString()).toBe(later.toISOString());

    await ingest(t.database, signup(2, later), later);
    await tick(later);
    expect(await welcomeRuns(2)).toEqual([]);
    expect(await welcomeRuns(1)).toEqual([{ version: 1, status: 'active' }]); // a running run finishes on its version
  });

  it('re-adding the file stores a new version, and the trigger starts runs on it again', async () => {
    const back = plus(T0, 2 * HOUR);
    expect(await planText(t.database, compileInline(current, templates))).toContain('  + campaign welcome (version 2)\n');
    const result = await applyInline(t.database, current, templates, back);
    expect(result.stored).toEqual(['welcome@2']);
    expect((await storedVersions(t.database)).filter((v) => v.startsWith('welcome'))).toEqual(['welcome@1 retired', 'welcome@2']);
    await ingest(t.database, signup(3, back), back);
    await engine(t.database).tick(back);
    expect(await welcomeRuns(3)).toEqual([{ version: 2, status: 'active' }]);
  });

  it('two applies at once store each version once', async () => {
    const [a, b] = [await openTestDb(t.schema), await openTestDb(t.schema)];
    try {
      const project = compileInline(edited('campaigns/win-back.yaml', 'wait: 5d', 'wait: 6d'), templates);
      const results = await Promise.all([applyProject(a, project, plus(T0, DAY)), applyProject(b, project, plus(T0, DAY))]);
      expect(results.map((r) => r.stored).sort()).toEqual([[], ['win-back@2']]);
      expect((await storedVersions(t.database)).filter((v) => v.startsWith('win-back'))).toEqual(['win-back@1', 'win-back@2']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
