import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/runtime/cli';
import { type Database } from '../../src/storage/db';
import { openDb } from '../../src/storage/open';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../src/storage/migrate';
import { backend, useTestDatabase } from '../helpers/db';
import { at, ingest } from '../helpers/engine';
import { SAMPLE_CAMPAIGNS } from '../helpers/samples';

const t = useTestDatabase('campaign_cli');
/** Scratch space: on PGlite also the CLI's database (it opens a file database; each open costs seconds). */
let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'almanac-cli-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const env = (): Record<string, string> =>
  backend === 'postgres'
    ? { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: t.schema }
    : { ALMANAC_DATA_DIR: join(scratch, 'db') };

async function almanac(args: string[], cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { env: env(), out: (s) => out.push(s), err: (s) => err.push(s), cwd });
  return { code, out: out.join(''), err: err.join('') };
}

/** The database the CLI uses, opened by the test itself (never while a command holds it). */
async function withCliDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  if (backend === 'postgres') return fn(t.database);
  const database = await openDb({ kind: 'pglite', dataDir: join(scratch, 'db'), schema: 'public' });
  try {
    await migrate(database, loadMigrations(defaultMigrationsDir));
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** The plan's lines that are not a new campaign's summary (those are indented six spaces) nor a new template folder. */
const headlines = (out: string) =>
  out
    .split('\n')
    .filter((l) => !l.startsWith('      ') && !l.startsWith('  + template files '))
    .join('\n');

/** How many template files the samples have (every *.hbs and *.yaml under templates/): apply versions each. */
const templateFileCount = readdirSync('templates', { recursive: true, withFileTypes: true }).filter(
  (e) => e.isFile() && /\.(hbs|ya?ml)$/.test(e.name),
).length;

const samples = [...SAMPLE_CAMPAIGNS];
const added =
  samples.map((c) => `  + campaign ${c} (version 1)\n`).join('') + '  + calendar.yaml → version 1\n  + segments.yaml → version 1\n';

describe(`almanac plan / apply on ${backend}`, () => {
  it('plan on a fresh database lists every addition; apply stores them; plan then says no changes', async () => {
    const plan = await almanac(['plan']);
    expect(plan).toMatchObject({ code: 0, err: '' });
    // The headline of each addition (each new campaign is then summarised in words, indented).
    expect(headlines(plan.out)).toBe(
      `${added}\nPlan: 11 to add, 0 to change, 0 to remove; template files: ${templateFileCount} to add, 0 to change, 0 to remove.\n`,
    );
    // Template files are versioned too: each new folder on one line, with the campaigns that send it.
    expect(plan.out).toContain('  + template files cart-reminder/: html.hbs, meta.yaml, subject.hbs, text.hbs (sent by abandoned-cart)\n');
    expect(plan.out).toContain(
      '  + template files cart-reminder/pl/: html.hbs, meta.yaml, subject.hbs, text.hbs (sent by abandoned-cart)\n',
    );
    expect(plan.out).toContain('  + template files layouts/: default.hbs, default.txt.hbs\n');
    expect(plan.out).toContain(
      '  + campaign abandoned-cart (version 1)\n      name: Abandoned cart recovery\n      purpose: email.marketing, priority 80\n' +
        '      starts when checkout.started happens (one run per checkout_id; events up to 1d old)\n' +
        '      reaches has consent for email.marketing and email is set\n      enters again after 30d\n      leaves on order.created\n',
    );
    expect(plan.out).toContain(
      "      reaches has consent for email.marketing and email is set and birthday's day and month are today (on each contact's own calendar)\n",
    );
    const applied = await almanac(['apply']);
    expect(applied.code).toBe(0);
    expect(headlines(applied.out)).toBe(
      `${added}\nApplied: 11 version(s) stored (${samples.map((c) => `${c}@1`).join(', ')}, calendar.yaml@1, segments.yaml@1), ` +
        `${templateFileCount} template file version(s), 0 retired, runs migrated 0, exited 0.\n`,
    );
    expect((await almanac(['plan'])).out).toBe(
      'No changes. The database matches the campaign files.\n' +
        `  = unchanged: ${samples.join(', ')}, calendar.yaml, segments.yaml, ${templateFileCount} template files\n\n` +
        'Plan: 0 to add, 0 to change, 0 to remove.\n',
    );
  });

  it('plan --format markdown is the pull-request comment; an unknown format is a usage error', async () => {
    const md = await almanac(['plan', '--format', 'markdown']);
    expect(md.code, md.err).toBe(0);
    expect(md.out).toMatch(
      /^### Almanac plan: \d+ to add, \d+ to change, \d+ to remove(; template files: \d+ to add, \d+ to change, \d+ to remove)?\n\n```diff\n/,
    );
    expect(md.out).toContain('Nothing changes until `almanac apply` runs on the main branch.');
    expect((await almanac(['plan', '--format=markdown'])).out).toBe(md.out);
    expect(JSON.parse((await almanac(['plan', '--format', 'json'])).out)).toEqual(JSON.parse((await almanac(['plan', '--json'])).out));
    const bad = await almanac(['plan', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--format: expected text, json or markdown');
  });

  it('one campaign with a typo: apply exits 1 at file:line:col and stores no version for any file', async () => {
    const project = join(scratch, 'project');
    cpSync('campaigns', join(project, 'campaigns'), { recursive: true });
    cpSync('templates', join(project, 'templates'), { recursive: true });
    const edit = (file: string, from: string, to: string) => {
      const path = join(project, 'campaigns', file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
    };
    edit('welcome.yaml', 'wait: 2d', 'wait: 3d'); // a good change in another file
    edit('abandoned-cart.yaml', 'wait: 1h', 'wait: 2h');
    edit('abandoned-cart.yaml', '- send: cart-reminder', '- sned: cart-reminder');

    const failed = await almanac(['apply'], project);
    expect(failed.code).toBe(1);
    expect(failed.out).toBe('');
    expect(failed.err).toBe(
      'campaigns/abandoned-cart.yaml:23:5 unknown step "sned" — did you mean "send"?\n1 error(s): nothing was changed.\n',
    );

    edit('abandoned-cart.yaml', '- sned: cart-reminder', '- send: cart-reminder');
    const plan = await almanac(['plan'], project);
    expect(plan.out).toContain('  ~ campaign abandoned-cart (version 1 → 2;');
    expect(plan.out).toContain('  ~ campaign welcome (version 1 → 2;');
    expect(plan.out).toContain('Plan: 0 to add, 2 to change, 0 to remove.\n');
  });
});

describe('almanac preview', () => {
  it('renders the three sends of abandoned-cart for a contact file and writes their HTML with --out', async () => {
    const out = join(scratch, 'html');
    const r = await almanac(['preview', 'abandoned-cart', '--contact', 'examples/contacts/ada.json', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l.startsWith('Subject: '))).toEqual([
      'Subject: Ada, Twój koszyk na Ciebie czeka', // Ada's locale is pl: the Polish variant
      'Subject: Still thinking? Here is 10% off your cart',
      'Subject: Last call: your cart expires soon',
    ]);
    expect(r.out).toContain('Use code COMEBACK10 for 10% off your cart of 129 EUR: https://shop.example/cart/k-ada\n');
    expect(readdirSync(out).sort()).toEqual([
      'steps_1_.html',
      'steps_2_.on_timeout_0_.branch.otherwise_0_.html',
      'steps_2_.on_timeout_0_.branch_0_.steps_0_.html',
    ]);
    expect(readFileSync(join(out, 'steps_1_.html'), 'utf8')).toContain('<li>2 × Mug</li>');
  });

  it('shows the footer (placeholder unsubscribe link) and warns on stderr about a link that renders empty', async () => {
    const file = join(scratch, 'no-url.json');
    const ada = JSON.parse(readFileSync('examples/contacts/ada.json', 'utf8')) as { trigger: { properties: Record<string, unknown> } };
    delete ada.trigger.properties.url;
    writeFileSync(file, JSON.stringify(ada));
    const r = await almanac(['preview', 'abandoned-cart', '--contact', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Wypisz się: http://localhost:8787/u/preview');
    expect(r.err).toContain('warning: steps[1] (cart-reminder): 1 link has an empty address');
  });

  it('an unknown campaign exits 1 naming the campaigns there are', async () => {
    const r = await almanac(['preview', 'abandoned-kart', '--contact', 'examples/contacts/ada.json']);
    expect(r).toEqual({
      code: 1,
      out: '',
      err: 'almanac preview: no campaign "abandoned-kart" (have: abandoned-cart, birthday, browse-abandonment, consent-confirmation, newsletter, review-request, vip-welcome, welcome, win-back)\n',
    });
  });

  it('--contact <id> reads the contact from the database and uses its latest checkout as the cart', async () => {
    const contact = { id: 'grace', email: 'grace@example.com', timezone: 'Europe/London', attributes: { first_name: 'Grace' } };
    const checkout = (n: number, when: string, title: string, total: number) => ({
      id: `grace-checkout-${n}`,
      type: 'checkout.started',
      occurred_at: when,
      contact,
      properties: {
        checkout_id: `k-g${n}`,
        total,
        currency: 'GBP',
        url: `https://shop.example/cart/k-g${n}`,
        items: [{ product_id: `p${n}`, title, quantity: 1, price: total }],
      },
    });
    await withCliDatabase((database) =>
      ingest(
        database,
        [checkout(2, '2026-11-22T09:00:00Z', 'Teapot', 150), checkout(1, '2026-11-20T09:00:00Z', 'Kettle', 40)],
        at('2026-11-22T09:00:00Z'),
      ),
    );
    const r = await almanac(['preview', 'abandoned-cart', '--contact', 'grace']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Preview of abandoned-cart for grace <grace@example.com> (timezone Europe/London)\n');
    expect(r.out).toContain('Subject: You left something in your cart, Grace\n');
    expect(r.out).toContain('- 1 × Teapot\n');
    expect(r.out).toContain('Use code COMEBACK10 for 10% off your cart of 150 GBP: https://shop.example/cart/k-g2\n');
    expect(r.out).not.toContain('Kettle');
  });
});
