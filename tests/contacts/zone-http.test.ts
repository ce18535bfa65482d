import { beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { at } from '../helpers/engine';
import { authed, shopifyRequest } from '../http/ingest-app';
import { openRuntime, virtualClock } from '../e2e/runtime';
import { checkoutBody } from '../e2e/shopify';

/**
 * Issue 16, zone and locale inference through HTTP: an address guesses the zone and locale a
 * contact did not state (`timezone_source: address`); a stated one always wins and a later guess
 * never replaces it; a bad country is a 400 naming the field; a signed Shopify checkout's
 * shipping address does the same.
 */
const t = useTestDatabase('contacts_zone_http');
const clock = virtualClock(at('2026-11-30T09:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock);
});

const put = async (id: string, body: unknown) => {
  const res = await services.app.request(`/v1/contacts/${id}`, { ...authed(body), method: 'PUT' });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const event = (id: string, contact: Record<string, unknown>) =>
  services.app.request('/v1/events', authed({ id, type: 'contact.updated', contact }));
const zoneOf = async (id: string) => {
  const { body } = await put(id, {});
  return { timezone: body.timezone, timezone_source: body.timezone_source, locale: body.locale, locale_source: body.locale_source };
};

describe(`zone and locale from an address on ${backend}`, () => {
  it('guesses from the address, keeps a stated zone over any later guess, and names a bad country', async () => {
    expect((await event('e1', { id: 'nyc', address: { country_code: 'us', province: 'New York', zip: '10001' } })).status).toBe(202);
    expect(await zoneOf('nyc')).toEqual({
      timezone: 'America/New_York',
      timezone_source: 'address',
      locale: 'en',
      locale_source: 'address',
    });
    // A better guess (a new address) replaces a guess…
    expect((await event('e2', { id: 'nyc', address: { country_code: 'US', province: 'California' } })).status).toBe(202);
    expect((await zoneOf('nyc')).timezone).toBe('America/Los_Angeles');
    // …a stated zone replaces it, and no guess replaces a stated one.
    expect((await put('nyc', { timezone: 'America/Chicago', locale: 'es' })).status).toBe(200);
    expect((await event('e3', { id: 'nyc', address: { country_code: 'PL' } })).status).toBe(202);
    expect(await zoneOf('nyc')).toEqual({
      timezone: 'America/Chicago',
      timezone_source: 'explicit',
      locale: 'es',
      locale_source: 'explicit',
    });
    // PUT takes an address too; with no address and no zone nothing is guessed (the calendar's zone applies).
    expect((await put('warsaw', { address: { country_code: 'PL', city: 'Kraków' } })).body).toMatchObject({
      timezone: 'Europe/Warsaw',
      timezone_source: 'address',
      locale: 'pl',
    });
    expect(await zoneOf('nobody')).toEqual({ timezone: null, timezone_source: 'default', locale: null, locale_source: 'default' });

    const bad = await event('e4', { id: 'x', address: { country_code: 'XX' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('contact.address.country_code');
    const notObject = await event('e5', { id: 'x', address: 'Main St 1' });
    expect(notObject.status).toBe(400);
    expect(JSON.stringify(await notObject.json())).toContain('contact.address');
  });

  it('takes the locale of a form submission’s Accept-Language over the country’s, never over a stated one', async () => {
    // A signup form posts the consent with the visitor's header (and a US address): the browser's language wins over the country's.
    const form = await services.app.request(
      '/v1/consent',
      authed({
        id: 'form-consent-1',
        contact: {
          id: 'form-1',
          email: 'form-1@example.com',
          accept_language: 'de-ch, de;q=0.9, en;q=0.5, *;q=0.1',
          address: { country_code: 'US', province: 'Texas' },
        },
        purpose: 'email.marketing',
        granted: true,
        source: 'signup form',
        text: 'Send me news',
        text_version: 'v1',
        ip: '198.51.100.7',
        user_agent: 'Firefox',
      }),
    );
    expect(form.status, await form.clone().text()).toBe(202);
    expect(await zoneOf('form-1')).toEqual({
      timezone: 'America/Chicago',
      timezone_source: 'address',
      locale: 'de-CH',
      locale_source: 'accept_language',
    });
    // A later address guess does not replace the browser's language; a stated locale does, and no header replaces it.
    expect((await event('al-1', { id: 'form-1', address: { country_code: 'FR' } })).status).toBe(202);
    expect((await zoneOf('form-1')).locale).toBe('de-CH');
    expect((await put('form-1', { locale: 'en-US' })).status).toBe(200);
    expect((await event('al-2', { id: 'form-1', accept_language: 'pl' })).status).toBe(202);
    expect(await zoneOf('form-1')).toMatchObject({ locale: 'en-US', locale_source: 'explicit' });
    // A header with nothing usable guesses nothing.
    expect((await event('al-3', { id: 'form-2', accept_language: '*, x-klingon;q=0' })).status).toBe(202);
    expect(await zoneOf('form-2')).toMatchObject({ locale: null, locale_source: 'default' });
  });

  it('takes a signed Shopify checkout’s shipping address', async () => {
    const body = JSON.parse(
      checkoutBody({ customerId: '7710000000901', email: 'perth@example.com', firstName: 'Pat', token: 'zone-tok-1' }, clock.now()),
    ) as Record<string, unknown>;
    const withAddress = JSON.stringify({
      ...body,
      shipping_address: { country_code: 'AU', province: 'Western Australia', city: 'Perth', address1: '1 Hay St' },
      customer_locale: null,
    });
    const res = await services.app.request('/webhooks/shopify', shopifyRequest(withAddress, 'checkouts/create', 'wh-zone-1'));
    expect(res.status).toBe(200);
    // A Shopify customer is named by its shop and id (PUT takes a whole identifier as :id).
    expect(await zoneOf('shopify:almanac-demo.myshopify.com:7710000000901')).toMatchObject({
      timezone: 'Australia/Perth',
      timezone_source: 'address',
    });
  });
});
