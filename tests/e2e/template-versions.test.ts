import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyReport, planReport } from '../../src/campaigns/admin';
import { compileProject } from '../../src/dsl/compile/index';
import type { Project } from '../../src/dsl/plan';
import { createRenderer } from '../../src/render/renderer-files';
import { storedTemplates } from '../../src/render/stored-templates';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { at, plus, query, MINUTE } from '../helpers/engine';
import { openRuntime, outbox, storyDriver, virtualClock } from './runtime';

/**
 * Template text is versioned like campaign files: `apply` stores every template file, `plan`
 * shows a template-only edit, and the running server sends what was applied — not what is on
 * disk — and picks up the next apply without a restart. The server's TEMPLATES_DIR is the
 * scratch project itself, so "on disk" and "applied" really differ here.
 */
const t = useTestDatabase('e2e_template_versions');
const T0 = at('2026-11-23T10:00:00Z');
const clock = virtualClock(T0);
let services: Services;
let dir = '';
const drive = storyDriver(() => services, clock);

async function project(): Promise<Project> {
  const r = await compileProject({ campaignsDir: join(dir, 'campaigns'), templatesDir: join(dir, 'templates'), displayRoot: dir });
  if (!r.ok) throw new Error(`the scratch project does not compile: ${JSON.stringify(r.errors)}`);
  return r.project;
}

const signUp = (id: string, name: string, when: Date, locale = 'en') =>
  drive.post(when, [
    {
      id: `${id}-consent`,
      type: 'consent.granted',
      occurred_at: when.toISOString(),
      contact: { id, email: `${id}@example.com`, locale },
      properties: { purpose: 'email.marketing' },
    },
    {
      id: `${id}-created`,
      type: 'contact.created',
      occurred_at: when.toISOString(),
      contact: { id, email: `${id}@example.com`, locale, attributes: { first_name: name } },
      properties: {},
    },
  ]);

const subjectOf = async (id: string) => (await outbox(services, { to: `${id}@example.com` })).map((m) => m.subject);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'almanac-tpl-'));
  for (const f of ['welcome.yaml', 'calendar.yaml', 'segments.yaml']) cpSync(join('campaigns', f), join(dir, 'campaigns', f));
  cpSync('templates', join(dir, 'templates'), { recursive: true });
  services = await openRuntime(t.database, clock, { TEMPLATES_DIR: join(dir, 'templates') });
});
afterAll(async () => {
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`template versions on ${backend}`, () => {
  it('before any apply the renderer is the fallback (the folder on Node; on Workers an error naming apply)', async () => {
    const fallback = createRenderer({ templatesDir: join(dir, 'templates') });
    expect(await storedTemplates(t.database, { fallback }).current()).toBe(fallback);
  });

  it('apply stores each template file as version 1; a template-only edit shows in plan; the applied text is sent, then the next apply', async () => {
    const first = await applyReport(t.database, await project(), T0);
    expect(first.text).toMatch(/template file version\(s\)/);
    const stored = await query<{ version: number; content: string }>(
      t.database,
      sql`select version, content from template_files where path = 'welcome-1/subject.hbs'`,
    );
    expect(stored).toEqual([{ version: 1, content: 'Welcome, {{default contact.first_name "friend"}}!\n' }]);

    // Edit the subject on disk only: plan shows it, with the campaign that sends it; nothing is stored.
    writeFileSync(join(dir, 'templates', 'welcome-1', 'subject.hbs'), 'Hello again, {{default contact.first_name "friend"}}!\n');
    const plan = await planReport(t.database, await project());
    expect(plan.text).toContain('  ~ template welcome-1/subject.hbs (version 1 → 2; sent by welcome)\n');
    expect(plan.text).toContain('\nPlan: 0 to add, 0 to change, 0 to remove; template files: 0 to add, 1 to change, 0 to remove.\n');
    expect(plan.json).toMatchObject({ templates: [{ path: 'welcome-1/subject.hbs', action: 'change', version: 2, usedBy: ['welcome'] }] });
    expect(plan.markdown).toContain('! template welcome-1/subject.hbs (version 1 → 2; sent by welcome)');

    // Ada signs up: the server sends the applied subject, not the edited file beside it.
    await signUp('ada', 'Ada', T0);
    await drive.tickAt(plus(T0, MINUTE));
    expect(await subjectOf('ada')).toEqual(['Welcome, Ada!']);

    // Apply the edit: the same running server sends the new text to the next contact.
    const T1 = plus(T0, 10 * MINUTE);
    const second = await applyReport(t.database, await project(), T1);
    expect(second.json).toMatchObject({ stored: [], storedTemplates: ['templates/welcome-1/subject.hbs@2'] });
    await signUp('bea', 'Bea', T1);
    await drive.tickAt(plus(T1, MINUTE));
    expect(await subjectOf('bea')).toEqual(['Hello again, Bea!']);
    expect((await planReport(t.database, await project())).text).toMatch(/^No changes\. The database matches the campaign files\./);
  });

  it('a removed translation is a removal in plan; once applied, a Polish contact gets the default files', async () => {
    const T2 = plus(T0, 20 * MINUTE);
    await signUp('ola', 'Ola', T2, 'pl');
    await drive.tickAt(plus(T2, MINUTE));
    const [polish] = await subjectOf('ola');
    expect(polish).not.toBe('Hello again, Ola!'); // the Polish subject.hbs

    rmSync(join(dir, 'templates', 'welcome-1', 'pl'), { recursive: true });
    const plan = await planReport(t.database, await project());
    expect(plan.text).toContain('  - template welcome-1/pl/subject.hbs (removed; its last text stays in version 1; sent by welcome)\n');
    expect(plan.text).toMatch(/template files: 0 to add, 0 to change, 4 to remove\.\n$/);
    const T3 = plus(T2, 10 * MINUTE);
    await applyReport(t.database, await project(), T3);
    await signUp('ela', 'Ela', T3, 'pl');
    await drive.tickAt(plus(T3, MINUTE));
    expect(await subjectOf('ela')).toEqual(['Hello again, Ela!']);

    // Put it back: a new version of each file, with the text it had.
    cpSync(join('templates', 'welcome-1', 'pl'), join(dir, 'templates', 'welcome-1', 'pl'), { recursive: true });
    const back = await applyReport(t.database, await project(), plus(T3, MINUTE));
    expect(back.json).toMatchObject({ storedTemplates: expect.arrayContaining(['templates/welcome-1/pl/subject.hbs@3']) });
    const history = await query<{ version: number; removed: boolean }>(
      t.database,
      sql`select version, content is null as removed from template_files where path = 'welcome-1/pl/subject.hbs' order by version`,
    );
    expect(history).toEqual([
      { version: 1, removed: false },
      { version: 2, removed: true },
      { version: 3, removed: false },
    ]);
  });
});
