import { renderData } from './data';
import type { OutgoingMessage, Recommendation, RenderData, RenderedMessage } from './types';
import type { ClaimedSend, SendContextRow } from '../storage/sends';

/**
 * What a claimed send's template sees (src/render/data.ts builds it, for preview too).
 * `payload` is the journey's send effect (`subject`, `data`); the trigger is the run's.
 * Recommendations and the view-in-browser link are prepared by the caller before rendering.
 */
export function renderDataFor(
  send: Pick<ClaimedSend, 'id' | 'campaign' | 'payload'>,
  ctx: SendContextRow,
  extra: {
    recommendations?: Recommendation[];
    viewInBrowserUrl?: string;
    unsubscribeUrl?: string;
    preferencesUrl?: string;
    confirmUrl?: string;
    postalAddress?: string;
  } = {},
): RenderData {
  return renderData({
    contact: ctx,
    trigger: ctx.trigger,
    campaign: { id: send.campaign, name: ctx.campaignName ?? send.campaign },
    sendId: send.id,
    data: send.payload.data,
    ...extra,
  });
}

/** The send step's `subject:` override, when the journey recorded one in the payload. */
export const subjectOverride = (send: Pick<ClaimedSend, 'payload'>): string | undefined =>
  typeof send.payload.subject === 'string' ? send.payload.subject : undefined;

/** Product ids in a checkout trigger's cart: recommendations are made around them, never of them. */
export function cartProductIds(trigger: SendContextRow['trigger']): string[] {
  const items = trigger?.type?.startsWith('checkout.') ? trigger.properties?.items : undefined;
  if (!Array.isArray(items)) return [];
  return items
    .map((i) => (i && typeof i === 'object' ? (i as Record<string, unknown>).product_id : undefined))
    .filter((id): id is string => typeof id === 'string' && id !== '');
}

/**
 * The message for the transport. A template's `meta.yaml` `from` / `reply_to` win over the
 * configured sender. Headers carry the send id and campaign (bounces and complaints lead back
 * to the send); tags are the provider's (SES EmailTags).
 */
export function outgoingMessage(
  send: Pick<ClaimedSend, 'id' | 'campaign' | 'template'>,
  to: string,
  rendered: RenderedMessage,
  sender: { from: string; replyTo?: string },
  now: Date,
  links: { unsubscribeUrl?: string } = {},
): OutgoingMessage {
  const replyTo = rendered.replyTo ?? sender.replyTo;
  return {
    sendId: send.id,
    to,
    from: rendered.from ?? sender.from,
    ...(replyTo ? { replyTo } : {}),
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: { 'X-Almanac-Send-Id': String(send.id), 'X-Almanac-Campaign': send.campaign },
    tags: { send_id: String(send.id), campaign: send.campaign, template: send.template },
    ...(links.unsubscribeUrl ? { unsubscribeUrl: links.unsubscribeUrl } : {}),
    date: now,
  };
}
