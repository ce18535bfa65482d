import { renderData } from '../render/data';
import type { RenderData, RenderedMessage } from '../render/types';
import type { ClaimedSend, SendContextRow } from '../storage/sends';
import type { OutgoingMessage } from './transport';

/**
 * What a claimed send's template sees (src/render/data.ts builds it, for preview too).
 * `payload` is the journey's send effect (`subject`, `data`); the trigger is the run's.
 */
export function renderDataFor(send: ClaimedSend, ctx: SendContextRow): RenderData {
  return renderData({
    contact: ctx,
    trigger: ctx.trigger,
    campaign: { id: send.campaign, name: ctx.campaignName ?? send.campaign },
    sendId: send.id,
    data: send.payload.data,
  });
}

/** The send step's `subject:` override, when the journey recorded one in the payload. */
export const subjectOverride = (send: ClaimedSend): string | undefined =>
  typeof send.payload.subject === 'string' ? send.payload.subject : undefined;

export function outgoingMessage(
  send: ClaimedSend,
  to: string,
  rendered: RenderedMessage,
  sender: { from: string; replyTo?: string },
  now: Date,
): OutgoingMessage {
  return {
    sendId: send.id,
    to,
    from: sender.from,
    ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: { 'X-Almanac-Send-Id': String(send.id), 'X-Almanac-Campaign': send.campaign },
    tags: { send_id: String(send.id), campaign: send.campaign, template: send.template },
    date: now,
  };
}
