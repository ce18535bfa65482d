import { Hono } from 'hono';
import { AppError } from '../errors';
import { loadSendForView, PREVIEW_RECOMMENDATIONS } from '../render/preview-source';
import { applyTransforms, type MessageTransform, messageTransforms } from '../render/transforms';
import type { Renderer, TemplateSource } from '../render/types';
import { rendererNow } from '../render/stored-templates';
import { verifyViewToken, viewInBrowserUrl } from '../render/view-token';
import { cartProductIds, outgoingMessage, renderDataFor, subjectOverride } from '../render/message';
import { preferencesUrl } from '../consent/preferences-token';
import { unsubscribeUrl } from '../consent/unsubscribe-token';
import { confirmUrlOfTrigger } from '../consent/confirm-token';
import { TRANSACTIONAL_PURPOSE } from '../dsl/plan';
import type { Database } from '../storage/db';
import { recommendationsFor } from '../storage/recommendations';

/** What the message routes need: the renderer, the link key and base URL, the configured sender. */
export interface MessageRouteDeps {
  database: Database;
  /** The applied templates on a server (src/render/stored-templates.ts); a fixed renderer in tests. */
  renderer: Renderer | TemplateSource;
  linkSigningKey: string;
  publicUrl: string;
  from: string;
  replyTo?: string;
  /** The same process-wide transforms the dispatcher applies. */
  transforms?: readonly MessageTransform[];
  /** MAIL_POSTAL_ADDRESS, as the dispatcher shows it. */
  postalAddress?: string;
  /** CONFIRM_TOKEN_DAYS: the double opt-in link of a confirmation mail viewed in the browser. */
  confirmTokenDays?: number;
}

/**
 * `GET /v/:token`: "view in your browser". The token is the send id signed with LINK_SIGNING_KEY
 * (src/render/view-token.ts); a forged or altered token is a 404 that says nothing about sends.
 * The message is rendered again, as the dispatcher rendered it (template, run trigger, step
 * data, recommendations, transforms) but from the contact's data as it is now — a changed name
 * shows the new name. Served with a CSP that runs no scripts and kept out of caches and indexes.
 */
export function viewInBrowserRoutes(deps: MessageRouteDeps) {
  const app = new Hono();
  app.get('/v/:token', async (c) => {
    const sendId = verifyViewToken(c.req.param('token'), deps.linkSigningKey);
    const found = sendId === undefined ? undefined : await loadSendForView(deps.database.db, sendId);
    if (sendId === undefined || !found) throw new AppError('not_found', 'this link does not lead to a message');
    const { send, context } = found;
    const recs = await recommendationsFor(
      deps.database.db,
      [{ contactId: send.contactId, seedProductIds: cartProductIds(context.trigger) }],
      PREVIEW_RECOMMENDATIONS,
    );
    const claimed = { ...send, runId: 0, stepKey: '', campaignVersionId: 0, priority: 0, attempts: 0 };
    const unsubscribe =
      send.purpose === TRANSACTIONAL_PURPOSE
        ? undefined
        : unsubscribeUrl(deps.publicUrl, { sendId: send.id, contactId: send.contactId, purpose: send.purpose }, deps.linkSigningKey);
    const confirm = confirmUrlOfTrigger(deps.publicUrl, send.contactId, context.trigger, deps.confirmTokenDays ?? 7, deps.linkSigningKey);
    const data = renderDataFor(claimed, context, {
      recommendations: recs.get(send.contactId) ?? [],
      viewInBrowserUrl: viewInBrowserUrl(deps.publicUrl, send.id, deps.linkSigningKey),
      ...(unsubscribe ? { unsubscribeUrl: unsubscribe } : {}),
      ...(unsubscribe ? { preferencesUrl: preferencesUrl(deps.publicUrl, send.contactId, deps.linkSigningKey) } : {}),
      ...(confirm ? { confirmUrl: confirm } : {}),
      postalAddress: deps.postalAddress ?? '',
    });
    const subject = subjectOverride(claimed);
    const rendered = (await rendererNow(deps.renderer)).render(send.template, data, subject === undefined ? {} : { subject });
    if (!rendered.ok) throw new AppError('unavailable', 'this message cannot be shown right now', { details: { template: send.template } });
    const m = applyTransforms(
      outgoingMessage(send, context.email ?? '', rendered, deps, new Date(0)),
      messageTransforms(rendered, deps.transforms),
    );
    c.header('Cache-Control', 'private, no-store');
    c.header('X-Robots-Tag', 'noindex, nofollow');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Content-Security-Policy', "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'");
    return c.html(m.html);
  });
  return app;
}
