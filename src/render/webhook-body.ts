import Handlebars from 'handlebars';
import { renderData, type RenderDataInput } from './data';
import { createHelpers } from './helpers';
import { interpretTemplate } from './interpret';

/** What a webhook body's templates see: the mail data without the mail parts (`send`, `sender`, recommendations), plus `webhook`. */
export type WebhookData = Record<string, unknown>;

/** The largest rendered body sent; a bigger one fails the call (a receiver would refuse it anyway). */
export const WEBHOOK_BODY_MAX_BYTES = 262_144;

/** A string that is exactly one `{{path}}`: its value is kept as it is (a number, a list, an object; missing: null). */
const LONE_PATH = /^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}$/;

export function webhookData(
  input: Omit<RenderDataInput, 'sendId' | 'recommendations' | 'postalAddress' | 'data'>,
  webhook: { id: string; step: string },
): WebhookData {
  const { send: _send, sender: _sender, recommendations: _recommendations, ...rest } = renderData({ ...input, sendId: 0 });
  return { ...rest, webhook };
}

export type WebhookBodyResult = { ok: true; text: string } | { ok: false; message: string };

/**
 * Renders webhook bodies: every string of the step's JSON body is a handlebars template (not
 * HTML: nothing is entity-escaped; JSON.stringify does the quoting), with the mail templates'
 * helpers on an environment of its own; keys stay as written. A string that is one `{{path}}`
 * keeps the value's JSON type, so `total: "{{cart.total}}"` sends a number and
 * `items: "{{cart.items}}"` a list. Each distinct string is compiled once per renderer.
 */
export function createWebhookBodyRenderer() {
  const env = Handlebars.create();
  env.registerHelper(createHelpers());
  const compiled = new Map<string, (data: object) => string>();
  const compile = (s: string) => {
    let fn = compiled.get(s);
    if (!fn) {
      // Interpreted, not compiled: the same on Workers, which forbid code generation (./interpret.ts).
      fn = interpretTemplate(s, env, { escape: false });
      compiled.set(s, fn);
    }
    return fn;
  };
  const lookup = (data: WebhookData, path: string): unknown => {
    let v: unknown = data;
    for (const part of path.split('.')) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, part)) return null;
      v = (v as Record<string, unknown>)[part];
    }
    return v === undefined ? null : v;
  };
  const walk = (value: unknown, data: WebhookData): unknown => {
    if (typeof value === 'string') {
      const lone = LONE_PATH.exec(value);
      return lone ? lookup(data, lone[1]!) : compile(value)(data);
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, data));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, data)]));
    return value;
  };
  return function render(template: unknown, data: WebhookData): WebhookBodyResult {
    try {
      const text = JSON.stringify(walk(template, data));
      if (Buffer.byteLength(text) > WEBHOOK_BODY_MAX_BYTES)
        return { ok: false, message: `the rendered body is larger than ${WEBHOOK_BODY_MAX_BYTES} bytes` };
      return { ok: true, text };
    } catch (err) {
      return { ok: false, message: (err as Error)?.message ?? String(err) };
    }
  };
}

export type WebhookBodyRenderer = ReturnType<typeof createWebhookBodyRenderer>;
