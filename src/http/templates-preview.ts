import { Hono } from 'hono';
import { AppError } from '../errors';
import { PREVIEW_CONFIRM_PATH, PREVIEW_UNSUBSCRIBE_PATH, renderPreview } from '../render/preview';
import { TRANSACTIONAL_PURPOSE } from '../dsl/plan';
import { hasOddCharacters } from './events-input';
import { findTemplateUse, loadPreviewSubject } from '../render/preview-source';
import { TEMPLATE_NAME } from '../render/template-files';
import { rendererNow } from '../render/stored-templates';
import { apiKey } from './middleware/api-key/index';
import type { MessageRouteDeps } from './view-in-browser';

/**
 * `GET /v1/templates/:name/preview?contact=<external id or email>[&trigger=EVENT]` (bearer API
 * key): `{ subject, text, html, from, reply_to?, warnings? }` as that contact would receive the template —
 * the same code path as `almanac preview` (src/render/preview.ts). The trigger is the contact's
 * newest event of the type that starts the first applied campaign sending this template (or of
 * `trigger=` when given); that campaign's step `data:` and `subject:` apply.
 */
export function templatePreviewRoutes(deps: MessageRouteDeps & { apiKeys: readonly string[] }) {
  const app = new Hono();
  app.get('/v1/templates/:name/preview', apiKey({ keys: deps.apiKeys }), async (c) => {
    const name = c.req.param('name');
    const who = c.req.query('contact');
    if (!TEMPLATE_NAME.test(name)) throw new AppError('bad_request', `"${name}" is not a template name`, { details: { field: 'name' } });
    if (!who) throw new AppError('bad_request', 'give ?contact=<external id or email>', { details: { field: 'contact' } });
    for (const [field, value] of [
      ['contact', who],
      ['trigger', c.req.query('trigger')],
    ] as const) {
      if (value !== undefined && (value.length > 320 || hasOddCharacters(value)))
        throw new AppError('bad_request', `?${field} must be at most 320 characters, without NUL or lone surrogates`, {
          details: { field },
        });
    }
    const use = await findTemplateUse(deps.database.db, name);
    const triggerType = c.req.query('trigger') || use.triggerType;
    const subject = await loadPreviewSubject(deps.database.db, who, triggerType);
    if (!subject) throw new AppError('not_found', `no contact with external id or email "${who}"`, { details: { field: 'contact' } });
    const out = renderPreview(await rendererNow(deps.renderer), {
      template: name,
      contact: subject.contact,
      trigger: subject.trigger ?? null,
      campaign: use.campaign,
      data: use.data,
      ...(use.subject === undefined ? {} : { subject: use.subject }),
      recommendations: subject.recommendations,
      sender: deps,
      ...(deps.transforms ? { transforms: deps.transforms } : {}),
      ...(use.purpose === TRANSACTIONAL_PURPOSE
        ? {}
        : { unsubscribeUrl: `${deps.publicUrl.replace(/\/+$/, '')}${PREVIEW_UNSUBSCRIBE_PATH}` }),
      confirmUrl: `${deps.publicUrl.replace(/\/+$/, '')}${PREVIEW_CONFIRM_PATH}`,
      postalAddress: deps.postalAddress ?? '',
    });
    if (!out.ok) {
      const missing = /is missing|not a template name/.test(out.message);
      throw new AppError(
        missing ? 'not_found' : 'validation_failed',
        missing ? `no template "${name}"` : `template "${name}" cannot be rendered: ${out.message}`,
        {
          ...(missing ? {} : { status: 422 }),
          details: { template: name },
        },
      );
    }
    return c.json({
      subject: out.subject,
      text: out.text,
      html: out.html,
      from: out.from,
      ...(out.replyTo ? { reply_to: out.replyTo } : {}),
      ...(out.warnings.length ? { warnings: out.warnings } : {}),
    });
  });
  return app;
}
