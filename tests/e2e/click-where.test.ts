import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyInline } from '../helpers/engine';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { at, plus, query } from '../helpers/engine';
import { authed } from '../http/ingest-app';
import { openRuntime, outbox, virtualClock } from './runtime';

/**
 * Issue 14: `wait_until: { event: email.clicked, where: … }` narrowed to one link of a two-link
 * mail — a click on the other link does not resume the run, a click on the named one does — and a
 * scanner that opens every link of the mail within seconds is flagged on every one of those
 * clicks, resuming nothing.
 */
const t = useTestDatabase('e2e_click_where');
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

const templates = mkdtempSync(join(tmpdir(), 'almanac-click-where-'));
mkdirSync(join(templates, 'two-links'));
writeFileSync(join(templates, 'two-links', 'subject.hbs'), 'Winter or summer?');
writeFileSync(
  join(templates, 'two-links', 'html.hbs'),
  '<p><a href="https://shop.example/winter">Winter</a> or <a href="https://shop.example/summer">Summer</a>?</p>' +
    '<p><a href="{{send.unsubscribe_url}}">Unsubscribe</a> {{sender.postal_address}}</p>',
);
writeFileSync(
  join(templates, 'two-links', 'text.hbs'),
  'Winter: https://shop.example/winter\nSummer: https://shop.example/summer\nUnsubscribe: {{send.unsubscribe_url}}\n{{sender.postal_address}}\n',
);
writeFileSync(join(templates, 'two-links', 'meta.yaml'), 'purpose: email.marketing\nlayout: none\n');

const campaign = `campaign: seasons
name: Seasons
purpose: email.marketing
trigger: { event: signup.done }
audience: { consent: email.marketing }
re_entry: always
steps:
  - send: two-links
  - wait_until:
      event: email.clicked
      timeout: 1d
      where: { attribute: url, contains: /winter }
    on_timeout:
      - exit
`;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://shop.example',
    LINK_SIGNING_KEY: 'click-where-link-key',
    MAIL_POSTAL_ADDRESS: 'Demo Shop, Warszawa',
    TEMPLATES_DIR: templates,
  });
  await applyInline(services.database, { 'campaigns/seasons.yaml': campaign }, ['two-links'], clock.now());
});

async function mailTo(id: string, start: Date) {
  clock.set(start);
  const contact = { id, email: `${id}@example.com` };
  const res = await services.app.request(
    '/v1/events/batch',
    authed({
      events: [
        { id: `${id}-c`, type: 'consent.granted', contact, properties: { purpose: 'email.marketing' } },
        { id: `${id}-s`, type: 'signup.done', contact },
      ],
    }),
  );
  expect(res.status).toBe(202);
  await services.tick(start);
  await services.tick(plus(start, 1000));
  const [message] = await outbox(services, { to: `${id}@example.com` });
  const link = (label: string) => new RegExp(`${label}: https://shop\\.example(/c/\\S+)`).exec(message!.text)![1]!;
  return { winter: link('Winter'), summer: link('Summer') };
}
const BROWSER = { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15' };
const runOf = (id: string) =>
  query<{ status: string; phase: string }>(
    t.database,
    sql`select r.status, r.state->>'phase' as phase from runs r join contacts c on c.id = r.contact_id where c.external_id = ${id}`,
  );

describe(`clicks narrowed by where: on ${backend}`, () => {
  it('a click on the other link leaves the run waiting; a click on the named link resumes it', async () => {
    const start = at('2026-11-23T10:00:00Z');
    const { winter, summer } = await mailTo('w-ann', start);
    clock.set(plus(start, 60_000));
    expect((await services.app.request(summer, { headers: BROWSER })).status).toBe(302);
    await services.tick(plus(start, 61_000));
    expect(await runOf('w-ann')).toEqual([{ status: 'active', phase: 'awaiting' }]);
    clock.set(plus(start, 120_000));
    expect((await services.app.request(winter, { headers: BROWSER })).status).toBe(302);
    await services.tick(plus(start, 121_000));
    expect(await runOf('w-ann')).toEqual([{ status: 'completed', phase: 'done' }]);
  });

  it('every link clicked within seconds is a scanner: all those clicks are flagged and the run keeps waiting', async () => {
    const start = at('2026-11-24T10:00:00Z');
    const { winter, summer } = await mailTo('w-bo', start);
    clock.set(plus(start, 60_000));
    await services.app.request(summer, { headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Chrome/120' } });
    await services.app.request(winter, { headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Chrome/120' } });
    await services.tick(plus(start, 61_000));
    const clicks = await query<{ is_bot: boolean; bot_reason: string }>(
      t.database,
      sql`select k.is_bot, k.bot_reason from clicks k join contacts c on c.id = k.contact_id where c.external_id = 'w-bo' order by k.id`,
    );
    expect(clicks).toEqual([
      { is_bot: true, bot_reason: 'all 2 links clicked within 5 s' },
      { is_bot: true, bot_reason: 'all 2 links clicked within 5 s' },
    ]);
    expect(await runOf('w-bo')).toEqual([{ status: 'active', phase: 'awaiting' }]);
  });
});
