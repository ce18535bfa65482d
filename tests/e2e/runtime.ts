import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config';
import type { Project } from '../../src/dsl/plan';
import { createLogger } from '../../src/lib/log';
import { openServices, type Services } from '../../src/runtime/services';
import type { Database } from '../../src/storage/db';
import { compileInline } from '../helpers/engine';
import { API_KEY, authed, SHOPIFY_SECRET } from '../http/ingest-app';

/**
 * The runtime as `npm start` wires it (src/runtime/services.ts: HTTP app, tick phases events →
 * segments → runs → dispatch, outbox transport), on a test database and a virtual clock: the
 * app's receipt time is `clock.now()`, and time moves only when a test calls `clock.set` and
 * `services.tick(at)`. Nothing sleeps.
 */
export interface VirtualClock {
  now(): Date;
  set(at: Date): void;
}

export function virtualClock(start: Date): VirtualClock {
  let current = start;
  return { now: () => current, set: (at) => (current = at) };
}

export async function openRuntime(database: Database, clock: VirtualClock, env: Record<string, string> = {}): Promise<Services> {
  const config = loadConfig({
    API_KEYS: API_KEY,
    SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET,
    TICK_BATCH_SIZE: '200',
    // Clicks and opens are written by the tick only: on the virtual clock nothing happens by itself.
    TRACKING_FLUSH_MS: '0',
    ...env,
  });
  return openServices(config, createLogger('silent'), { database, migrate: false, now: clock.now });
}

/**
 * A story's two moves on the virtual clock: `post` events through `POST /v1/events/batch` at
 * `when` (202 expected), and `tickAt` a moment — tick at `when` and again a second later (a run
 * goes on once its send is settled). `services` is a getter: tests open them in `beforeAll`.
 */
export function storyDriver(services: () => Services, clock: VirtualClock) {
  return {
    async post(when: Date, events: unknown[]) {
      clock.set(when);
      const res = await services().app.request('/v1/events/batch', authed({ events }));
      expect(res.status, await res.clone().text()).toBe(202);
    },
    async tickAt(when: Date) {
      for (const now of [when, new Date(when.getTime() + 1000)]) {
        clock.set(now);
        await services().tick(now);
      }
    },
  };
}

/**
 * The sample project in campaigns/ as it is, except for the holdout percentages named in
 * `holdouts` (e.g. `{ 'abandoned-cart': '0%' }`): holdout is drawn from the contact's row id,
 * which a test cannot choose, so a story that needs mail to arrive switches it off. `only`
 * keeps just the named campaigns (with calendar.yaml and segments.yaml), for a story about one
 * campaign that should not depend on which weekday the newsletter falls.
 */
export function sampleProject(options: { holdouts?: Record<string, string>; only?: string[] } = {}): Project {
  const files: Record<string, string> = {};
  for (const name of readdirSync('campaigns').filter((f) => f.endsWith('.yaml'))) {
    const id = name.replace(/\.yaml$/, '');
    if (options.only && !['calendar', 'segments', ...options.only].includes(id)) continue;
    let text = readFileSync(`campaigns/${name}`, 'utf8');
    const override = options.holdouts?.[id];
    if (override !== undefined) {
      if (!/^holdout: .*$/m.test(text)) throw new Error(`campaigns/${name} has no holdout line to override`);
      text = text.replace(/^holdout: .*$/m, `holdout: ${override}`);
    }
    files[`campaigns/${name}`] = text;
  }
  return compileInline(files, readdirSync('templates'));
}

export interface OutboxMessage {
  id: number;
  send_id: number;
  to: string;
  from: string;
  subject: string;
  created_at: string;
  text: string;
}

/** `GET /v1/outbox` with the bearer key, as a developer reads what the outbox transport "sent". */
export async function outbox(services: Services, options: { to?: string } = {}): Promise<OutboxMessage[]> {
  const res = await services.app.request('/v1/outbox?limit=500', { headers: { authorization: `Bearer ${API_KEY}` } });
  if (res.status !== 200) throw new Error(`GET /v1/outbox answered ${res.status}: ${await res.text()}`);
  const { messages } = (await res.json()) as { messages: OutboxMessage[] };
  return options.to === undefined ? messages : messages.filter((m) => m.to.includes(options.to!));
}

/** A Warsaw shopper, `id@example.com`, in English: the contact of the cart stories. */
export const shopper = (id: string) => ({ id, email: `${id}@example.com`, timezone: 'Europe/Warsaw', locale: 'en' });

/** Marketing consent and a 40 EUR checkout (`k-ID`, cart URL `cartUrl`) for `id` at `start`, through POST /v1/events/batch. */
export async function consentAndCheckout(
  services: Services,
  clock: VirtualClock,
  id: string,
  start: Date,
  cartUrl = `https://shop.example/cart/${id}`,
): Promise<void> {
  clock.set(start);
  const at = start.toISOString();
  const res = await services.app.request(
    '/v1/events/batch',
    authed({
      events: [
        { id: `${id}-c`, type: 'consent.granted', occurred_at: at, contact: shopper(id), properties: { purpose: 'email.marketing' } },
        {
          id: `${id}-k`,
          type: 'checkout.started',
          occurred_at: at,
          contact: shopper(id),
          properties: { checkout_id: `k-${id}`, total: 40, currency: 'EUR', url: cartUrl, items: [] },
        },
      ],
    }),
  );
  if (res.status !== 202) throw new Error(`POST /v1/events/batch answered ${res.status}: ${await res.text()}`);
}

/** The ticks around `start` and an hour later that send the sample abandoned cart's reminder. */
export async function reminderTicks(services: Services, clock: VirtualClock, start: Date): Promise<Date> {
  const hour = 3_600_000;
  for (const ms of [0, 1000, hour + 1000, hour + 2000]) {
    const when = new Date(start.getTime() + ms);
    clock.set(when);
    await services.tick(when);
  }
  return new Date(start.getTime() + hour + 2000);
}

/**
 * Consent, a checkout at `start` and the ticks that send the cart reminder an hour later: the
 * message, its raw MIME (from GET /v1/outbox/:id/raw), its first tracked link and its open pixel
 * (both as paths on PUBLIC_URL https://shop.example), and when it went.
 */
export async function cartReminder(services: Services, clock: VirtualClock, id: string, start: Date, cartUrl?: string) {
  await consentAndCheckout(services, clock, id, start, cartUrl);
  const sentAt = await reminderTicks(services, clock, start);
  const [message] = await outbox(services, { to: `${id}@example.com` });
  if (!message) throw new Error(`the cart reminder to ${id} did not go out`);
  const raw = await (
    await services.app.request(`/v1/outbox/${message.id}/raw`, { headers: { authorization: `Bearer ${API_KEY}` } })
  ).text();
  const tracked =
    /Complete your order: (https:\/\/shop\.example\/c\/[A-Za-z0-9._-]+)/.exec(message.text) ??
    /(https:\/\/shop\.example\/c\/[A-Za-z0-9._-]+)/.exec(message.text);
  if (!tracked) throw new Error(`no tracked link in the reminder: ${message.text}`);
  const pixel = /https:\/\/shop\.example(\/o\/[A-Za-z0-9._-]+)/.exec(raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='))?.[1];
  return { message, raw, link: tracked[1]!.replace('https://shop.example', ''), pixel, sentAt };
}
