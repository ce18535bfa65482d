import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/runtime/cli';
import { jsonSchemaText, schemaKinds } from '../../../src/dsl/compile/json-schema';

const root = new URL('../../../', import.meta.url).pathname;
const temp = mkdtempSync(join(tmpdir(), 'almanac-validate-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function run(args: string[], cwd = root, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { env, out: (t: string) => out.push(t), err: (t: string) => err.push(t), cwd };
  return main(args, io).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}

/** A project folder with one campaign and one template. */
function project(
  name: string,
  campaign: string,
  text = 'Hello {{contact.first_name}}\n{{send.unsubscribe_url}} {{sender.postal_address}}',
): string {
  const dir = join(temp, name);
  mkdirSync(join(dir, 'campaigns'), { recursive: true });
  mkdirSync(join(dir, 'templates', 'hello'), { recursive: true });
  writeFileSync(join(dir, 'templates', 'hello', 'subject.hbs'), 'Hello');
  writeFileSync(join(dir, 'templates', 'hello', 'text.hbs'), text);
  writeFileSync(join(dir, 'campaigns', 'hi.yaml'), campaign);
  return dir;
}

const head = 'campaign: hi\npurpose: email.marketing\ntrigger: { event: contact.created }\n';

describe('almanac validate', () => {
  it('exits 0 on the sample project and says what it checked', async () => {
    const r = await run(['validate']);
    expect(r).toEqual({ code: 0, out: 'ok: 9 campaigns, 3 segments, 0 warnings\n', err: '' });
  });

  it('takes the campaigns folder as well as the project root; simulate of a folder without campaigns exits 1', async () => {
    for (const dir of ['campaigns', 'campaigns/', './campaigns'])
      expect(await run(['validate', dir]), dir).toEqual({ code: 0, out: 'ok: 9 campaigns, 3 segments, 0 warnings\n', err: '' });
    const empty = join(temp, 'empty');
    mkdirSync(join(empty, 'campaigns'), { recursive: true });
    mkdirSync(join(empty, 'templates'), { recursive: true });
    expect(await run(['validate', 'empty'], temp)).toMatchObject({ code: 1, out: 'no campaign files in empty/campaigns/ (0 warnings)\n' });
    writeFileSync(join(empty, 'events.ndjson'), '');
    const sim = await run(
      ['simulate', 'empty', '--events', join(empty, 'events.ndjson'), '--from', '2026-11-23T00:00:00Z', '--to', '2026-11-24T00:00:00Z'],
      temp,
    );
    expect(sim).toMatchObject({ code: 1, err: expect.stringContaining('no campaign files in empty/campaigns/: nothing to simulate') });
  });

  it('with LINK_ALLOWED_HOSTS, a template link to another host is an error at its line; allowed hosts and subdomains pass', async () => {
    const dir = project('hosts', `${head}steps:\n  - send: hello\n`);
    writeFileSync(
      join(dir, 'templates', 'hello', 'html.hbs'),
      '<p>Hi</p>\n<a href="https://www.shop.example/a">ok</a> <a href="https://evil.example/b">no</a>\n{{send.unsubscribe_url}} {{sender.postal_address}}',
    );
    const r = await run(['validate', 'hosts'], temp, { LINK_ALLOWED_HOSTS: 'shop.example' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('hosts/templates/hello/html.hbs:2:54 link to evil.example is outside LINK_ALLOWED_HOSTS (shop.example)');
    expect(r.out).not.toContain('www.shop.example');
    expect((await run(['validate', 'hosts'], temp)).code, 'unset: any host').toBe(0);
  });

  it('checks webhook steps against WEBHOOK_ALLOWED_HOSTS and WEBHOOK_SECRETS from the environment, at file:line:col', async () => {
    const secret = `whsec_${Buffer.from('a-32-byte-secret-for-the-crm-out').toString('base64')}`;
    project('hooks', `${head}steps:\n  - webhook: { url: "https://evil.example/h", secret: crn }\n`);
    const r = await run(['validate', 'hooks'], temp, { WEBHOOK_ALLOWED_HOSTS: 'crm.example', WEBHOOK_SECRETS: `crm=${secret}` });
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'hooks/campaigns/hi.yaml:5:21 webhook host evil.example is outside WEBHOOK_ALLOWED_HOSTS (crm.example) — call an allowed host',
    );
    expect(r.out).toContain('hooks/campaigns/hi.yaml:5:55 unknown webhook secret "crn" — did you mean "crm"?');
    expect(r.out).not.toContain(secret);
    expect((await run(['validate', 'hooks'], temp)).code, 'nothing configured: host and secret name unchecked').toBe(0);
  });

  it('exits 1 and prints every error, paths relative to the current directory', async () => {
    project('broken', `${head}steps:\n  - send: helo\n  - wait: 2 days\n`);
    const r = await run(['validate', 'broken'], temp);
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      'broken/campaigns/hi.yaml:5:11 unknown template "helo" — did you mean "hello"?\n' +
        'broken/campaigns/hi.yaml:6:11 wait "2 days" is not a duration — write a number and a unit: 45s, 30m, 1h, 2d or 1w\n' +
        '2 errors, 0 warnings: fix the errors above\n',
    );
  });

  it('exits 0 when there are only warnings, and prints them', async () => {
    const dir = project('warned', `${head}steps:\n  - send: hello\n  - exit\n  - send: hello\n`);
    const r = await run(['validate', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('hi.yaml:7:5 warning: unreachable step after "exit"');
    expect(r.out).toMatch(/ok: 1 campaign, 0 segments, 1 warning\n$/);
  });

  it('exits 1 for a marketing campaign whose template shows no unsubscribe link or postal address, naming template and line', async () => {
    const dir = project('no-footer', `${head}steps:\n  - send: hello\n`, 'Hello {{contact.first_name}}');
    const r = await run(['validate', dir], temp);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain(
      'no-footer/campaigns/hi.yaml:5:11 template "hello" is sent as marketing but renders no unsubscribe link and no postal address (no-footer/templates/hello/text.hbs)',
    );
    expect(r.out + r.err).toContain('add {{send.unsubscribe_url}} and {{sender.postal_address}}');
    const receipts = project('receipts', `${head.replace('email.marketing', 'email.transactional')}steps:\n  - send: hello\n`, 'Hello');
    expect((await run(['validate', receipts], temp)).code).toBe(0);
  });

  it('exits 1 when the folder holds no campaigns', async () => {
    const r = await run(['validate', join(temp, 'nothing-here')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('no campaign files in');
  });

  it('exits 2 on a usage mistake', async () => {
    expect((await run(['validate', 'a', 'b'])).code).toBe(2);
    expect((await run(['validate', '--strict'])).code).toBe(2);
  });
});

describe('almanac schema', () => {
  it('prints the campaign schema by default, and each kind on request', async () => {
    expect((await run(['schema'])).out).toBe(jsonSchemaText('campaign'));
    const r = await run(['schema', 'segments']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ title: 'Almanac segments' });
  });

  it('an unknown kind is a usage error with did-you-mean', async () => {
    const r = await run(['schema', 'calender']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown schema "calender" — did you mean "calendar"?');
  });

  // The sample files point editors at schemas/*.schema.json: those copies must never go stale.
  it.each(schemaKinds)(
    'schemas/%s.schema.json is what the code generates (regenerate: almanac schema KIND > schemas/KIND.schema.json)',
    (kind) => {
      expect(readFileSync(`${root}schemas/${kind}.schema.json`, 'utf8')).toBe(jsonSchemaText(kind));
    },
  );
});
