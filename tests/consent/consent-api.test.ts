import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { backend, useTestDatabase } from '../helpers/db';
import { query } from '../helpers/engine';
import { authed, counts, ingestApp } from '../http/ingest-app';

const t = useTestDatabase('consent_api');
type ErrorBody = { error: { code: string; details: { errors: Array<{ path: string; message: string }> } } };
const grant = {
  id: 'form-1',
  contact: { id: 'c-form', email: 'form@example.com' },
  purpose: 'email.marketing',
  granted: true,
  source: 'signup-form',
  text: 'Yes, send me offers and news. I can unsubscribe at any time.',
  text_version: 'signup-2026-11',
  ip: '203.0.113.7',
  user_agent: 'Mozilla/5.0',
};
const ledger = () =>
  query<{
    purpose: string;
    granted: boolean;
    source: string;
    text: string | null;
    text_version: string | null;
    ip: string | null;
    user_agent: string | null;
  }>(
    t.database,
    sql`select r.purpose, r.granted, r.source, r.text, r.text_version, r.ip, r.user_agent from consent_records r
        join contacts c on c.id = r.contact_id where c.external_id = 'c-form' order by r.id`,
  );

describe(`POST /v1/consent on ${backend}`, () => {
  it('records a grant with its evidence in the ledger, once however often it is sent', async () => {
    const { app } = ingestApp(t.database);
    for (let i = 0; i < 2; i++) expect((await app.request('/v1/consent', authed(grant))).status).toBe(202);
    expect(await ledger()).toEqual([
      {
        purpose: 'email.marketing',
        granted: true,
        source: 'signup-form',
        text: grant.text,
        text_version: 'signup-2026-11',
        ip: '203.0.113.7',
        user_agent: 'Mozilla/5.0',
      },
    ]);
    const withdrawn = await app.request(
      '/v1/consent',
      authed({ id: 'form-2', contact: { id: 'c-form' }, purpose: 'email.marketing', granted: false, source: 'support-call' }),
    );
    expect(withdrawn.status).toBe(202);
    expect((await ledger()).at(-1)).toMatchObject({ granted: false, source: 'support-call', text: null });
  });

  it('a grant without its evidence is a 400 naming every missing field, and stores nothing', async () => {
    const { app } = ingestApp(t.database);
    const before = await counts(t.database);
    const { text: _t, ip: _i, user_agent: _u, ...bare } = grant;
    const res = await app.request('/v1/consent', authed({ ...bare, id: 'form-3' }));
    expect(res.status).toBe(400);
    const paths = ((await res.json()) as ErrorBody).error.details.errors.map((e) => e.path).sort();
    expect(paths).toEqual(['ip', 'text', 'user_agent']);
    const nullable = await app.request('/v1/consent', authed({ ...grant, id: 'form-4', ip: null, user_agent: null }));
    expect(nullable.status).toBe(202); // explicitly unknown is allowed (an import), absent is not
    const more = await app.request('/v1/consent', authed({ colour: 'red', granted: 'yes' }));
    const errors = ((await more.json()) as ErrorBody).error.details.errors.map((e) => e.path).sort();
    expect(errors).toEqual(['colour', 'contact', 'granted', 'purpose', 'source']);
    const badPurpose = await app.request('/v1/consent', authed({ ...grant, id: 'form-5', purpose: 'Marketing Emails' }));
    expect(((await badPurpose.json()) as ErrorBody).error.details.errors).toEqual([
      { path: 'purpose', message: 'expected a consent purpose such as email.marketing' },
    ]);
    expect(await counts(t.database)).toMatchObject({ consent: before.consent + 1 });
  });
});
