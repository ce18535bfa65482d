import type { Recommendation, RenderData } from './types';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface RenderDataInput {
  contact: {
    email: string | null;
    locale: string | null;
    timezone: string | null;
    attributes: Record<string, unknown>;
    /** Customer analytics (stage, orders, revenue, value, rfm, predicted.*), when known. */
    customer?: Record<string, unknown> | null;
  };
  /** The event that started the run (its type decides whether there is a `cart`). */
  trigger: { type?: unknown; properties?: unknown } | null | undefined;
  campaign: { id: string; name: string };
  sendId: number;
  /** The send step's own `data:` from the campaign file. */
  data?: unknown;
  /** This contact's product recommendations, computed in SQL for the batch before rendering. */
  recommendations?: Recommendation[];
  /** The signed `GET /v/:token` link of this send (absent in previews). */
  viewInBrowserUrl?: string;
  /** The signed `/u/:token` link of a marketing send (a placeholder in previews). */
  unsubscribeUrl?: string;
  /** The contact's signed `/preferences/:token` link (marketing sends). */
  preferencesUrl?: string;
  /** The signed `/confirm/:token` link of a double opt-in confirmation send (a placeholder in previews). */
  confirmUrl?: string;
  /** MAIL_POSTAL_ADDRESS ('' when unset). */
  postalAddress?: string;
}

/**
 * What a template sees, from plain inputs: the contact's attributes beside its email, locale and
 * timezone; `customer` (analytics: `customer.stage`, `customer.predicted.next_order_at`, …); the trigger's properties; for checkout-triggered runs a `cart` (items, total,
 * currency, url); the campaign; the send; the recommendations. The dispatcher and `almanac preview` both build the
 * data here, so preview shows exactly what is sent.
 */
export function renderData(input: RenderDataInput): RenderData {
  const trigger = isRecord(input.trigger?.properties) ? input.trigger.properties : {};
  const checkout = typeof input.trigger?.type === 'string' && input.trigger.type.startsWith('checkout.');
  const c = input.contact;
  return {
    contact: { ...c.attributes, email: c.email, locale: c.locale, timezone: c.timezone },
    customer: c.customer ?? {},
    trigger,
    ...(checkout
      ? {
          cart: {
            items: Array.isArray(trigger.items) ? trigger.items : [],
            total: trigger.total,
            currency: trigger.currency,
            url: trigger.url,
          },
        }
      : {}),
    campaign: input.campaign,
    send: {
      id: input.sendId,
      ...(input.viewInBrowserUrl ? { view_in_browser_url: input.viewInBrowserUrl } : {}),
      ...(input.unsubscribeUrl ? { unsubscribe_url: input.unsubscribeUrl } : {}),
      ...(input.preferencesUrl ? { preferences_url: input.preferencesUrl } : {}),
      ...(input.confirmUrl ? { confirm_url: input.confirmUrl } : {}),
    },
    sender: { postal_address: input.postalAddress ?? '' },
    ...(isRecord(input.data) ? { data: input.data } : {}),
    recommendations: input.recommendations ?? [],
  };
}
