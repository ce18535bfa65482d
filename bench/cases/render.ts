import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { createHelpers } from '../../src/render/helpers';
import { buildMime } from '../../src/render/mime';
import { outgoingMessage } from '../../src/render/message';
import { createRenderer } from '../../src/render/renderer-files';
import { applyTransforms, messageTransforms } from '../../src/render/transforms';
import type { RenderData } from '../../src/render/types';
import type { BenchCase } from '../lib/case';

const TEMPLATES = 'templates';

const data = (i: number): RenderData =>
  ({
    contact: { email: `c${i}@example.com`, first_name: `Ada${i}`, locale: 'en', timezone: 'Europe/Warsaw' },
    trigger: {},
    campaign: { id: 'abandoned-cart', name: 'Abandoned cart recovery' },
    send: { id: i, unsubscribe_url: `https://shop.example/u/${i}`, view_in_browser_url: `https://shop.example/v/${i}` },
    sender: { postal_address: 'Shop, 1 Main St, Warsaw' },
    cart: {
      items: [
        { title: 'Stoneware mug', quantity: 2, price: 32, currency: 'EUR' },
        { title: 'Sencha tea', quantity: 1, price: 12.5, currency: 'EUR' },
      ],
      total: 76.5,
      currency: 'EUR',
      url: `https://shop.example/cart/${i}`,
    },
    recommendations: [],
  }) as unknown as RenderData;

/**
 * Case 7: the sample cart reminder rendered for a contact and built into MIME, as the dispatcher
 * does per message (template set with layout and partials, text part, transforms, MailComposer)
 * against the least a renderer must do: its HTML body, compiled once by raw handlebars.
 */
export const render: BenchCase = {
  id: 'render',
  title: 'Render + MIME per message',
  baseline: 'raw handlebars body, compiled once',
  unit: 'messages/s',
  better: 'higher',
  target: { ratio: 0.25, text: '≥ 0.25×' },
  sizes: { quick: [500], full: [5000] },
  async run(_ctx, n) {
    const env = Handlebars.create();
    env.registerHelper(createHelpers());
    env.registerPartial('cart-items', readFileSync(join(TEMPLATES, 'partials', 'cart-items.hbs'), 'utf8'));
    env.registerPartial('recommendations', readFileSync(join(TEMPLATES, 'partials', 'recommendations.hbs'), 'utf8'));
    const body = env.compile(readFileSync(join(TEMPLATES, 'cart-reminder', 'html.hbs'), 'utf8'));
    let t0 = performance.now();
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += body(data(i)).length;
    const baseline = n / ((performance.now() - t0) / 1000);

    const renderer = createRenderer({ templatesDir: TEMPLATES });
    const now = new Date('2026-11-23T10:00:00Z');
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const rendered = renderer.render('cart-reminder', data(i));
      if (!rendered.ok) throw new Error(rendered.message);
      const send = { id: i, campaign: 'abandoned-cart', template: 'cart-reminder' };
      const m = applyTransforms(
        outgoingMessage(send, `c${i}@example.com`, rendered, { from: 'Shop <news@shop.example>' }, now),
        messageTransforms(rendered),
      );
      bytes += (await buildMime(m)).length;
    }
    const almanac = n / ((performance.now() - t0) / 1000);
    if (bytes === 0) throw new Error('nothing rendered');
    return { almanac, baseline };
  },
};
