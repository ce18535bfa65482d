import type { Recommendation } from '../storage/recommendations';

/**
 * What a template sees. Contact and event data are user-controlled: the HTML part escapes them
 * (no triple-stash anywhere but `{{{body}}}` in layouts, checked by `almanac validate`), and
 * prototype access stays disabled.
 */
export interface RenderData {
  /** The contact's attributes flattened beside its email, locale and timezone. */
  contact: { email: string | null; locale?: string | null; timezone?: string | null; [attribute: string]: unknown };
  /** Customer analytics of the contact (`customer_metrics.doc`): stage, orders, revenue, value, r/f/m, rfm, predicted.*; {} before the first pass. */
  customer?: Record<string, unknown>;
  /** The triggering event's properties. */
  trigger: Record<string, unknown>;
  /** For checkout-triggered runs: the trigger's cart (`items`, `total`, `currency`, `url`). */
  cart?: { items: unknown[]; total?: unknown; currency?: unknown; url?: unknown };
  campaign: { id: string; name: string };
  /**
   * `view_in_browser_url` is signed before rendering (src/render/view-token.ts); absent in previews.
   * `unsubscribe_url` (`/u/:token`, src/consent/unsubscribe-token.ts) is there for every marketing
   * send, and a placeholder in previews; transactional mail has none. `confirm_url`
   * (`/confirm/:token`, src/consent/confirm-token.ts) only in the double opt-in confirmation mail.
   */
  send: { id: number; view_in_browser_url?: string; unsubscribe_url?: string; preferences_url?: string; confirm_url?: string };
  /** The sender's postal address (MAIL_POSTAL_ADDRESS): marketing mail must show it. */
  sender: { postal_address: string };
  /** The send step's own `data:` from the campaign file. */
  data?: Record<string, unknown>;
  /** Computed in SQL before rendering (src/storage/recommendations.ts); `{{#recommend 3}}` reads it. */
  recommendations?: Recommendation[];
}

export type { Recommendation };

/** What `meta.yaml` beside a template may say (validated, see src/render/meta.ts). */
export interface TemplateMeta {
  from?: string;
  reply_to?: string;
  purpose?: string;
  /** A handlebars template (text, not HTML): the inbox preview line. */
  preheader?: string;
  /** `layouts/NAME.hbs`; `none` for no layout. Default: `default` when layouts/default.hbs exists. */
  layout?: string;
}

export interface RenderedMessage {
  ok: true;
  subject: string;
  /**
   * Body wrapped in its layout; empty for a text-only template (subject.hbs + text.hbs), which is
   * sent without an HTML part. The preheader is not in it yet: a transform adds it (transforms.ts).
   */
  html: string;
  text: string;
  preheader?: string;
  /** From `meta.yaml`: sender overrides and the declared purpose. */
  from?: string;
  replyTo?: string;
  purpose?: string;
}

/** A template that cannot be rendered: that one send fails with `message`, the batch goes on. */
export interface RenderError {
  ok: false;
  template: string;
  /** Names the file, e.g. `templates/cart-reminder/html.hbs: Missing helper: "monye"`. */
  message: string;
}

export interface RenderOptions {
  /** The send step's `subject:` override, itself a handlebars template. */
  subject?: string;
}

/**
 * Renders a template set for one contact. The locale variant is chosen from `data.contact.locale`
 * (`pl-PL` → `pl` → the default files), file by file.
 */
export interface Renderer {
  render(template: string, data: RenderData, options?: RenderOptions): RenderedMessage | RenderError;
}

/**
 * Where senders get their renderer: the templates `apply` stored, reloaded when a later apply
 * changes them (./stored-templates.ts). Asked once per dispatch batch and per message request.
 */
export interface TemplateSource {
  current(): Promise<Renderer>;
}

/** A rendered, addressed message: what the transforms shape and the `Transport` port (src/sending/transport.ts) takes. */
export interface OutgoingMessage {
  /** `sends.id`; providers carry it as a tag so delivery notifications find their send. */
  sendId: number;
  to: string;
  from: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers (List-Unsubscribe and friends are added by transforms, src/render/transforms.ts). */
  headers: Record<string, string>;
  /** The send's one-click unsubscribe URL (marketing sends only): the List-Unsubscribe transform reads it. */
  unsubscribeUrl?: string;
  /** Provider tags (SES EmailTags): send id, campaign, template. */
  tags: Record<string, string>;
  /** The tick's `now`: the Date header, and when the outbox records it (virtual clocks work). */
  date: Date;
}
