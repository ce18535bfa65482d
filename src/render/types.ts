/**
 * What a template sees. Contact and event data are user-controlled: the HTML part escapes them
 * (never a triple-stash for these), and prototype access stays disabled.
 */
export interface RenderData {
  /** The contact's attributes flattened beside its email, locale and timezone. */
  contact: { email: string | null; [attribute: string]: unknown };
  /** The triggering event's properties. */
  trigger: Record<string, unknown>;
  /** For checkout-triggered runs: the trigger's cart (`items`, `total`, `currency`, `url`). */
  cart?: { items: unknown[]; total?: unknown; currency?: unknown; url?: unknown };
  campaign: { id: string; name: string };
  send: { id: number };
  /** The send step's own `data:` from the campaign file. */
  data?: Record<string, unknown>;
}

export interface RenderedMessage {
  ok: true;
  subject: string;
  html: string;
  text: string;
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

export interface Renderer {
  render(template: string, data: RenderData, options?: RenderOptions): RenderedMessage | RenderError;
}
