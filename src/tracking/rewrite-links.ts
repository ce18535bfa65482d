import { decodeAttribute } from './entities';
import { startTags } from './html-scan';
import { safeRedirectTarget } from './redirect-target';
import { withUtm, type Utm } from './utm';

/**
 * Click-tracking link rewriting, pure: which links of a message are tracked, with what target,
 * and the message with those links pointing at `PUBLIC_URL/c/TOKEN` instead.
 *
 * Structure. One message has two parts that must agree, and the click token names a `links` row
 * (`links.id`) the database creates, so rewriting is two steps over one plan: `planLinks` reads
 * the HTML and the text and returns the `links` to store (position, final target) and a
 * `rewrite(trackedUrl)` that produces both parts once their ids are known. The dispatcher does
 * plan → insert `links` rows → `rewrite((position) => clickUrl(publicUrl, ids[position], key))`.
 * `rewriteLinks` / `rewriteTextLinks` are the same thing for one part, for callers that have one.
 *
 * Positions are 0, 1, 2… over the HTML's tracked `<a href>` in document order — two buttons to
 * the same page are two positions, so a report can say which one people click — then over URLs
 * that appear only in the text part. A bare URL in the text reuses the first HTML position with
 * the same final target, so "clicked link 2" means the same thing whichever part was read.
 *
 * A link is tracked when it is an `<a>` start tag outside comments with an `href` whose decoded
 * value (entities decoded as the browser does, surrounding ASCII whitespace stripped as the
 * browser does) passes `safeRedirectTarget`, holds no unrendered Handlebars (`{{`, `}}`), is not
 * `exclude`d (the unsubscribe and preferences links: see own-links.ts) and has no
 * `data-almanac-track="false"`. `mailto:`, `tel:`, `#anchors`, relative and unsafe values
 * therefore stay exactly as written. Every `data-almanac-track` attribute on an `<a>` is removed
 * (it is an instruction to us, not to the reader); nothing else outside the rewritten `href`
 * values changes. The target gets the UTM pairs it lacks (utm.ts) unless that would make it
 * fail `safeRedirectTarget` (over 2048 characters), in which case it is tracked without them.
 */
export interface LinkOptions {
  utm?: Utm;
  /** Safe targets that must stay as they are (checked before UTM is added). */
  exclude?: (url: string) => boolean;
}

export interface TrackedLink {
  position: number;
  /** The final target: what `links.url` stores and `GET /c/:token` redirects to. */
  url: string;
}

export type TrackedUrl = (position: number, url: string) => string;

export interface LinkPlan {
  links: TrackedLink[];
  rewrite(trackedUrl: TrackedUrl): { html: string; text: string };
}

interface Edit {
  start: number;
  end: number;
  /** A tracked href value (its position and the quoting to write it in), or a fixed replacement. */
  replacement: { position: number; quote: '"' | "'" | '' } | string;
}

const TRACK_ATTRIBUTE = 'data-almanac-track';

/** The target a link value would be tracked with, or undefined when it stays untracked. */
function trackedTarget(value: string, options: LinkOptions): string | undefined {
  if (value.includes('{{') || value.includes('}}')) return undefined;
  const safe = safeRedirectTarget(value);
  if (!safe.ok || options.exclude?.(safe.url)) return undefined;
  if (!options.utm) return safe.url;
  const withParams = safeRedirectTarget(withUtm(safe.url, options.utm));
  return withParams.ok ? withParams.url : safe.url;
}

function htmlEdits(html: string, options: LinkOptions): { links: TrackedLink[]; edits: Edit[] } {
  const links: TrackedLink[] = [];
  const edits: Edit[] = [];
  for (const tag of startTags(html)) {
    if (tag.name !== 'a') continue;
    // The tokenizer keeps the first of duplicate attributes; so do we.
    const href = tag.attributes.find((a) => a.name === 'href');
    const track = tag.attributes.find((a) => a.name === TRACK_ATTRIBUTE);
    const optedOut = track !== undefined && decodeAttribute(track.value)?.trim().toLowerCase() === 'false';
    const decoded = href && !optedOut ? decodeAttribute(href.value)?.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '') : undefined;
    const url = decoded === undefined ? undefined : trackedTarget(decoded, options);
    const tagEdits: Edit[] = tag.attributes
      .filter((a) => a.name === TRACK_ATTRIBUTE)
      // With the whitespace before it, unless the next attribute follows without any (`…"false"href=`): then that stays as the separator.
      .map((a) => ({ start: /^[\t\n\f\r />]/.test(html[a.end] ?? '>') ? a.leadStart : a.start, end: a.end, replacement: '' }));
    if (href && url !== undefined) {
      const position = links.length;
      links.push({ position, url });
      tagEdits.push({ start: href.valueStart, end: href.valueEnd, replacement: { position, quote: href.quote } });
    }
    edits.push(...tagEdits.sort((a, b) => a.start - b.start));
  }
  return { links, edits };
}

/**
 * A bare URL in plain text: up to whitespace, `<>` (mail text wraps URLs in them) or quotes. `{`,
 * `\\` and the like stay in the match so that a half-rendered or tricky URL is judged (and
 * refused) whole rather than tracked up to the odd character.
 */
const TEXT_URL = /(?<![A-Za-z0-9+.-])https?:\/\/[^\s<>"'`]+/gi;

/** A URL found in text, minus trailing sentence punctuation and unbalanced closing brackets (linear: counts once). */
function trimTextUrl(candidate: string): string {
  const count = (c: string) => candidate.split(c).length - 1;
  const open = { ')': count('('), ']': count('[') };
  const close = { ')': count(')'), ']': count(']') };
  let end = candidate.length;
  for (;;) {
    const last = candidate[end - 1];
    if (last !== undefined && '.,;:!?*'.includes(last)) end--;
    else if ((last === ')' || last === ']') && open[last] < close[last]) {
      close[last]--;
      end--;
    } else return candidate.slice(0, end);
  }
}

function textEdits(text: string, known: readonly TrackedLink[], options: LinkOptions): { links: TrackedLink[]; edits: Edit[] } {
  const links = [...known];
  const byUrl = new Map<string, number>();
  for (const l of [...known].reverse()) byUrl.set(l.url, l.position);
  let next = known.reduce((max, l) => Math.max(max, l.position + 1), 0);
  const edits: Edit[] = [];
  for (const m of text.matchAll(TEXT_URL)) {
    const raw = trimTextUrl(m[0]);
    const url = trackedTarget(raw, options);
    if (url === undefined) continue;
    let position = byUrl.get(url);
    if (position === undefined) {
      position = next++;
      byUrl.set(url, position);
      links.push({ position, url });
    }
    edits.push({ start: m.index, end: m.index + raw.length, replacement: { position, quote: '' } });
  }
  return { links, edits };
}

const escapeAttribute = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function apply(source: string, edits: readonly Edit[], trackedUrl: TrackedUrl, links: readonly TrackedLink[], html: boolean): string {
  const urls = new Map(links.map((l) => [l.position, l.url]));
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += source.slice(at, edit.start);
    if (typeof edit.replacement === 'string') out += edit.replacement;
    else {
      const url = trackedUrl(edit.replacement.position, urls.get(edit.replacement.position)!);
      if (!html) out += url;
      else {
        const escaped = escapeAttribute(url);
        // An unquoted value ends at whitespace: quote it if the tracked URL could break out.
        out += edit.replacement.quote === '' && /[\s=`]|^$/.test(escaped) ? `"${escaped}"` : escaped;
      }
    }
    at = edit.end;
  }
  return out + source.slice(at);
}

/** Reads both parts of a message; see the module comment for the two-step use. */
export function planLinks(message: { html: string; text: string }, options: LinkOptions = {}): LinkPlan {
  const fromHtml = htmlEdits(message.html, options);
  const fromText = textEdits(message.text, fromHtml.links, options);
  return {
    links: fromText.links,
    rewrite: (trackedUrl) => ({
      html: apply(message.html, fromHtml.edits, trackedUrl, fromText.links, true),
      text: apply(message.text, fromText.edits, trackedUrl, fromText.links, false),
    }),
  };
}

/** The HTML part alone: its tracked links and the rewritten HTML. */
export function rewriteLinks(html: string, options: LinkOptions & { trackedUrl: TrackedUrl }): { html: string; links: TrackedLink[] } {
  const { links, edits } = htmlEdits(html, options);
  return { html: apply(html, edits, options.trackedUrl, links, true), links };
}

/**
 * The text part alone, numbering on from `known` (the HTML part's links): a URL already there
 * keeps its position, new ones get the next. Returns `known` plus the new links.
 */
export function rewriteTextLinks(
  text: string,
  options: LinkOptions & { trackedUrl: TrackedUrl; known?: readonly TrackedLink[] },
): { text: string; links: TrackedLink[] } {
  const { links, edits } = textEdits(text, options.known ?? [], options);
  return { text: apply(text, edits, options.trackedUrl, links, false), links };
}
