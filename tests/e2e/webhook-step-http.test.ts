import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import type { Services } from '../../src/runtime/services';
import { useTestDatabase } from '../helpers/db';
import { serveOnFreePort } from '../helpers/browser';
import { at, compileInline, plus, query } from '../helpers/engine';
import { API_KEY, authed } from '../http/ingest-app';
import { openRuntime, virtualClock } from './runtime';

/**
 * The `webhook` step through the runtime as `npm start` wires it (config → services → the fetch
 * adapter), on a virtual clock. The receiver is Almanac's own `POST /webhooks/ingest/crm` on a
 * real port: the same secret in WEBHOOK_SECRETS (signing) and INGEST_SECRETS (verifying), so the
 * outbound signature is checked by the inbound verifier, and the event the call carries is
 * stored once per `webhook-id` (the ingest route's receipt).
 */
const t = useTestDatabase('e2e_webhook_step');
const SECRET = `whsec_${Buffer.from('one-secret-both-ways-32-bytes!!!').toString('base64')}`;
const clock = virtualClock(at('2026-11-23T10:00:00Z'));
let services: Services;
let server: { base: string; close(): Promise<void> };

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    WEBHOOK_SECRETS: `crm=${SECRET}`,
    INGEST_SECRETS: `crm=${SECRET}`,
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  });
  server = await serveOnFreePort((req) => services.app.fetch(req));
  const project = compileInline(
    {
      'campaigns/welcome-crm.yaml': `campaign: welcome-crm
purpose: email.transactional
trigger: { event: contact.created }
steps:
  - id: crm
    webhook:
      url: ${server.base}/webhooks/ingest/crm
      secret: crm
      body:
        type: crm.synced
        contact: { email: "{{contact.email}}" }
        properties: { plan: "{{contact.plan}}", campaign: "{{campaign.id}}" }
  - update: { crm_synced: true }
`,
    },
    [],
  );
  await applyProject(services.database, project, clock.now());
});
afterAll(async () => {
  await server?.close();
  await services?.close();
});

describe('a webhook step through the runtime', () => {
  it('signs with WEBHOOK_SECRETS, passes the ingest verifier, lands once, lets the run go on; export and metrics show it', async () => {
    const res = await services.app.request(
      '/v1/events',
      authed({ id: 'signup-1', type: 'contact.created', contact: { id: 'zoe', email: 'zoe@example.com', attributes: { plan: 'pro' } } }),
    );
    expect(res.status, await res.clone().text()).toBe(202);
    await services.tick(clock.now());
    clock.set(plus(clock.now(), 1000));
    await services.tick(clock.now());

    const [call] = await query<{ status: string; webhook_id: string; response_status: number }>(
      t.database,
      sql`select status, webhook_id, response_status from webhook_calls`,
    );
    expect(call).toMatchObject({ status: 'delivered', response_status: 200 });
    const synced = await query<{ dedupe_key: string; properties: Record<string, unknown>; source: string }>(
      t.database,
      sql`select e.dedupe_key, e.properties, e.source from events e join contacts c on c.id = e.contact_id
          where e.type = 'crm.synced' and c.email = 'zoe@example.com'`,
    );
    expect(synced).toEqual([
      { dedupe_key: `crm:${call!.webhook_id}`, properties: { plan: 'pro', campaign: 'welcome-crm' }, source: 'crm' },
    ]);
    const [run] = await query<{ status: string; synced: string }>(
      t.database,
      sql`select r.status, c.attributes->>'crm_synced' as synced from runs r join contacts c on c.id = r.contact_id
          where r.campaign = 'welcome-crm'`,
    );
    expect(run).toEqual({ status: 'completed', synced: 'true' });

    const exported = await services.app.request('/v1/contacts/zoe/export', { headers: { authorization: `Bearer ${API_KEY}` } });
    const data = (await exported.json()) as { webhook_calls: Array<Record<string, unknown>> };
    expect(data.webhook_calls).toEqual([
      expect.objectContaining({
        step_key: 'crm',
        status: 'delivered',
        webhook_id: call!.webhook_id,
        body: expect.stringContaining('"plan":"pro"'),
      }),
    ]);
    const metrics = await (await services.app.request('/metrics')).text();
    expect(metrics).toMatch(/almanac_webhook_calls_total\{outcome="delivered"\} 1/);
  });
});
