import { CONSENT_REQUESTED } from '../dsl/plan';
import { emptyLinkWarnings } from './empty-links';
import { outgoingMessage } from './message';
import { renderData, type RenderDataInput } from './data';
import { applyTransforms, listUnsubscribe, type MessageTransform, messageTransforms } from './transforms';
import type { Recommendation, RenderError, Renderer } from './types';

export interface PreviewRequest {
  template: string;
  contact: RenderDataInput['contact'];
  trigger?: { type: string; properties: Record<string, unknown> } | null;
  campaign: { id: string; name: string };
  /** The send step's `data:` and `subject:` override, when previewing a campaign's step. */
  data?: unknown;
  subject?: string;
  recommendations?: Recommendation[];
  /** The configured sender (meta.yaml may override it, as when sending). */
  sender: { from: string; replyTo?: string };
  transforms?: readonly MessageTransform[];
  /**
   * Where the unsubscribe link of a marketing send would go: previews have no send to sign a
   * token for, so callers pass a placeholder (`PREVIEW_UNSUBSCRIBE_PATH` under PUBLIC_URL) to
   * show the footer as it will look; omit it for transactional mail, which has none.
   */
  unsubscribeUrl?: string;
  /** The placeholder confirm link (`PREVIEW_CONFIRM_PATH`), used when the trigger is a double opt-in request. */
  confirmUrl?: string;
  /** MAIL_POSTAL_ADDRESS. */
  postalAddress?: string;
}

/** The placeholder unsubscribe link of previews (`/u/preview` answers 404: it unsubscribes nobody). */
export const PREVIEW_UNSUBSCRIBE_PATH = '/u/preview';
/** The placeholder `{{send.confirm_url}}` of previews (answers 404: it confirms nobody). */
export const PREVIEW_CONFIRM_PATH = '/confirm/preview';

export interface Preview {
  ok: true;
  subject: string;
  text: string;
  html: string;
  from: string;
  replyTo?: string;
  /** What a reader would find broken although it rendered: links with an empty address (emptyLinkWarnings). */
  warnings: string[];
}

/** No send exists yet: the Date header is not shown, so a fixed moment keeps this pure. */
const NO_DATE = new Date(0);

/**
 * One message exactly as the dispatcher would build it — the same render data, renderer, sender
 * rules and post-render transforms — minus the send: no send id (0) and so no view-in-browser
 * link. `almanac preview` and `GET /v1/templates/:name/preview` both come through here.
 */
export function renderPreview(renderer: Renderer, req: PreviewRequest): Preview | RenderError {
  const data = renderData({
    contact: req.contact,
    trigger: req.trigger,
    campaign: req.campaign,
    sendId: 0,
    data: req.data,
    recommendations: req.recommendations ?? [],
    ...(req.unsubscribeUrl ? { unsubscribeUrl: req.unsubscribeUrl } : {}),
    ...(req.confirmUrl && req.trigger?.type === CONSENT_REQUESTED ? { confirmUrl: req.confirmUrl } : {}),
    postalAddress: req.postalAddress ?? '',
  });
  const rendered = renderer.render(req.template, data, req.subject === undefined ? {} : { subject: req.subject });
  if (!rendered.ok) return rendered;
  const send = { id: 0, campaign: req.campaign.id, template: req.template };
  const m = applyTransforms(
    outgoingMessage(
      send,
      req.contact.email ?? '',
      rendered,
      req.sender,
      NO_DATE,
      req.unsubscribeUrl ? { unsubscribeUrl: req.unsubscribeUrl } : {},
    ),
    [...messageTransforms(rendered, req.transforms), listUnsubscribe()],
  );
  return {
    ok: true,
    subject: m.subject,
    text: m.text,
    html: m.html,
    from: m.from,
    ...(m.replyTo ? { replyTo: m.replyTo } : {}),
    warnings: emptyLinkWarnings(m.html),
  };
}
