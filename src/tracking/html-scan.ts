/**
 * The start tags of an HTML document with the exact source offsets of their attributes, found
 * the way the WHATWG tokenizer finds them — which is what decides what a mail client treats as a
 * link. Comments (`<!-- … -->`, including the `<!-->` forms of Outlook's conditional comments),
 * bogus comments (`<!DOCTYPE>`, `<?…>`, `</ 1>`), end tags, the text of raw-text elements
 * (`<style>`, `<script>`, `<title>`, `<textarea>` …) and a tag cut off by the end of input are
 * not start tags. No tree is built and nothing is normalised: callers edit the source by offset,
 * so everything they do not touch stays byte for byte.
 *
 * Hand-written rather than a parser library because only the tokenizer's tag and comment rules
 * matter here, and a tree builder (parse5, htmlparser2) would add a dependency to learn offsets.
 */
export interface Attribute {
  /** Lower-cased, as the tokenizer does. */
  name: string;
  /** Where the whitespace before the attribute starts (removal takes it along). */
  leadStart: number;
  start: number;
  /** End of the whole attribute, value and closing quote included. */
  end: number;
  /** The value's source text (entities not decoded) and where it lies. */
  value: string;
  valueStart: number;
  valueEnd: number;
  quote: '"' | "'" | '';
}

export interface StartTag {
  name: string;
  start: number;
  end: number;
  attributes: Attribute[];
}

const WS = new Set(['\t', '\n', '\f', '\r', ' ']);
const RAW_TEXT = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'title', 'textarea']);

const isAlpha = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);

/** Where the comment starting at `i` (`<!--`) ends. */
function commentEnd(html: string, i: number): number {
  const body = i + 4;
  if (html.startsWith('>', body)) return body + 1;
  if (html.startsWith('->', body)) return body + 2;
  const re = /--!?>/g;
  re.lastIndex = body;
  const m = re.exec(html);
  return m ? m.index + m[0].length : html.length;
}

/** Where a bogus comment (`<!…>`, `<?…>`, `</…>` not followed by a letter) starting at `i` ends. */
function bogusEnd(html: string, i: number): number {
  const close = html.indexOf('>', i);
  return close < 0 ? html.length : close + 1;
}

/** The tag at `i` (just after `<` or `</`), or undefined when the input ends inside it. */
function readTag(html: string, i: number): { name: string; end: number; attributes: Attribute[] } | undefined {
  let j = i;
  while (j < html.length && !WS.has(html[j]!) && html[j] !== '/' && html[j] !== '>') j++;
  const name = html.slice(i, j).toLowerCase();
  const attributes: Attribute[] = [];
  for (;;) {
    const leadStart = j;
    while (j < html.length && (WS.has(html[j]!) || html[j] === '/')) j++;
    if (j >= html.length) return undefined;
    if (html[j] === '>') return { name, end: j + 1, attributes };
    const start = j;
    j++; // the first character of a name may be anything, `=` included
    while (j < html.length && !WS.has(html[j]!) && html[j] !== '/' && html[j] !== '>' && html[j] !== '=') j++;
    const attrName = html.slice(start, j).toLowerCase();
    let k = j;
    while (k < html.length && WS.has(html[k]!)) k++;
    if (html[k] !== '=') {
      attributes.push({ name: attrName, leadStart, start, end: j, value: '', valueStart: j, valueEnd: j, quote: '' });
      continue;
    }
    k++;
    while (k < html.length && WS.has(html[k]!)) k++;
    if (k >= html.length) return undefined;
    const q = html[k];
    if (q === '"' || q === "'") {
      const close = html.indexOf(q, k + 1);
      if (close < 0) return undefined;
      attributes.push({
        name: attrName,
        leadStart,
        start,
        end: close + 1,
        value: html.slice(k + 1, close),
        valueStart: k + 1,
        valueEnd: close,
        quote: q,
      });
      j = close + 1;
    } else if (q === '>') {
      attributes.push({ name: attrName, leadStart, start, end: k, value: '', valueStart: k, valueEnd: k, quote: '' });
      j = k;
    } else {
      let e = k;
      while (e < html.length && !WS.has(html[e]!) && html[e] !== '>') e++;
      attributes.push({ name: attrName, leadStart, start, end: e, value: html.slice(k, e), valueStart: k, valueEnd: e, quote: '' });
      j = e;
    }
  }
}

/** Every start tag outside comments and raw text, in document order. */
export function startTags(html: string): StartTag[] {
  const tags: StartTag[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const next = html[lt + 1];
    if (html.startsWith('<!--', lt)) {
      i = commentEnd(html, lt);
    } else if (next === '!' || next === '?') {
      i = bogusEnd(html, lt + 2);
    } else if (next === '/') {
      if (isAlpha(html[lt + 2])) {
        const tag = readTag(html, lt + 2);
        if (!tag) break;
        i = tag.end;
      } else if (html[lt + 2] === '>') {
        i = lt + 3;
      } else {
        i = bogusEnd(html, lt + 2);
      }
    } else if (isAlpha(next)) {
      const tag = readTag(html, lt + 1);
      if (!tag) break;
      tags.push({ name: tag.name, start: lt, end: tag.end, attributes: tag.attributes });
      i = tag.end;
      if (RAW_TEXT.has(tag.name)) {
        const close = new RegExp(`</${tag.name}[\\t\\n\\f\\r />]`, 'gi');
        close.lastIndex = i;
        const m = close.exec(html);
        i = m ? m.index : html.length;
      }
    } else {
      i = lt + 1;
    }
  }
  return tags;
}
