import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRenderer } from '../../src/render/renderer-files';
import type { RenderData, RenderedMessage } from '../../src/render/types';

export const sampleTemplatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));

/** A templates folder in a fresh temp dir, from `{ 'NAME/html.hbs': '…' }`. */
export function templatesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'almanac-templates-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function data(contact: Record<string, unknown> = {}, more: Partial<RenderData> = {}): RenderData {
  return {
    contact: { email: 'ada@example.com', ...contact },
    trigger: {},
    campaign: { id: 'welcome', name: 'Welcome series' },
    send: { id: 7 },
    sender: { postal_address: '' },
    ...more,
  };
}

/** Render `html` (one template, no layout) for `d`, throwing on a render error. */
export function renderHtml(html: string, d: RenderData = data(), extra: Record<string, string> = {}): string {
  return renderOk(templatesDir({ 't/subject.hbs': 's', 't/html.hbs': html, ...extra }), 't', d).html;
}

export function renderOk(dir: string, template: string, d: RenderData): RenderedMessage {
  const out = createRenderer({ templatesDir: dir }).render(template, d);
  if (!out.ok) throw new Error(out.message);
  return out;
}

export const cart = {
  items: [
    { product_id: 'p1', title: 'Mug', quantity: 2, price: 64.5 },
    { product_id: 'p2', title: 'Tea', quantity: 1, price: 20 },
  ],
  total: 149,
  currency: 'EUR',
  url: 'https://shop.example/c/k-9',
};
