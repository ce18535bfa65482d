import type { MergePolicy } from '../contacts/resolve';
import { isInteger, isSafeNumber, parse as parseLossless } from 'lossless-json';
import { AppError } from '../errors';
import { hasOddCharacters, oddCharacters } from '../lib/odd-characters';
import { ingestEvents } from '../events/ingest';
import type { Database } from '../storage/db';
import type { Result } from '../dsl/diagnostics';
import { type FieldError, formatFieldError, type IngestEvent } from '../events/types';

/**
 * Body helpers shared by the ingestion routes: JSON from text or verified raw bytes, and field
 * errors as one 400 `validation_failed` naming every field (batch items carry their `index`).
 */

/** How deep JSON bodies may nest (objects and arrays; the top-level value is depth 1): JSON_MAX_DEPTH. */
export const DEFAULT_JSON_MAX_DEPTH = 64;

export interface JsonOptions {
  /** Deepest nesting accepted (default DEFAULT_JSON_MAX_DEPTH); deeper → 400 naming the path. */
  maxDepth?: number;
}

/**
 * Every JSON body the API and the webhooks read goes through here.
 *
 * - **Lossless numbers.** Parsed with `lossless-json`: an integer beyond Number.MAX_SAFE_INTEGER
 *   (Shopify's 18–19 digit ids) is kept as the string of its digits, never rounded to a nearby
 *   double; every other number is a JS number, as `JSON.parse` gives it.
 * - **Bounded depth.** Nesting deeper than `maxDepth` is a 400 `bad_request` with
 *   `details: { path, maxDepth }`, found by an iterative scan of the text before parsing, so no
 *   body can exhaust the stack (here, in the driver's `JSON.stringify`, or anywhere after).
 * - A repeated key keeps its last value, as with `JSON.parse`.
 */
export function parseJson(text: string, options: JsonOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? DEFAULT_JSON_MAX_DEPTH;
  const tooDeep = tooDeepAt(text, maxDepth);
  if (tooDeep !== undefined) {
    throw new AppError('bad_request', `the body nests deeper than ${maxDepth} levels at ${tooDeep}`, {
      details: { path: tooDeep, maxDepth },
    });
  }
  try {
    return parseLossless(text, null, { parseNumber: exactNumber, onDuplicateKey: ({ newValue }) => newValue });
  } catch (err) {
    throw new AppError('bad_request', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Unsafe integers → their digits as a string; every other number → a JS number. */
const exactNumber = (digits: string): number | string => (isInteger(digits) && !isSafeNumber(digits) ? digits : Number(digits));

interface Frame {
  array: boolean;
  /** The array index, or the key being read / last read of an object. */
  at: number | string;
  expectKey: boolean;
}

/**
 * The path of the first container opened deeper than `maxDepth`, or undefined. A single pass over
 * the text with an explicit stack (no recursion); it reads only structure and keys, and leaves
 * syntax errors to the parser that runs after it.
 */
function tooDeepAt(text: string, maxDepth: number): string | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i + 1;
      for (i = start; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i++;
        else if (c === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        top.at = decodeKey(text.slice(start, i));
        top.expectKey = false;
      }
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      const array = ch === 0x5b;
      if (stack.length >= maxDepth) return jsonPath(stack.map((f) => f.at));
      stack.push({ array, at: array ? 0 : '', expectKey: !array });
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
    } else if (ch === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.at = (top.at as number) + 1;
      else if (top) top.expectKey = true;
    }
  }
  return undefined;
}

function decodeKey(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

const plainKey = /^[^.[\]"\s\p{C}]+$/u;

/**
 * `['events', 3, 'properties', 'a b']` → `events[3].properties["a b"]`: the style of field errors
 * (src/events/fields.ts), with keys that would read ambiguously (dots, brackets, spaces, control
 * characters, lone surrogates) written as JSON strings, so a NUL shows as `\u0000`.
 */
export function jsonPath(path: ReadonlyArray<string | number>, root = '(body)'): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (!plainKey.test(part)) out += `[${JSON.stringify(part)}]`;
    else out += out ? `.${part}` : part;
  }
  return out || root;
}

const hasOdd = hasOddCharacters;
const replaceOdd = (s: string): string => s.replace(oddCharacters, '\ufffd');

/** A string the database or JavaScript cannot keep as sent: where it is and what is wrong with it. */
export interface OddString {
  path: string;
  /** `character`: a NUL or lone surrogate in a key or value; `prototype_key`: a key named `__proto__`. */
  problem: 'character' | 'prototype_key';
}

/**
 * The one rule for prototype keys: `__proto__` as a key, anywhere. `JSON.parse` makes it an own
 * property, but assigning it (as every object copy and schema parse downstream does) sets the
 * object's prototype instead, so the value would vanish silently — or, worse, reach a lookup.
 * Our API refuses it (400 naming the key); signed webhooks drop it and record the path in
 * `properties._replaced`. `constructor` and `prototype` are plain data keys and are kept.
 */
export const PROTOTYPE_KEY = '__proto__';

/**
 * Every string (value or key) in `value` holding a NUL or a lone surrogate, and every `__proto__`
 * key, as paths; with `replace`, each such character is replaced by U+FFFD in place (keys renamed,
 * order kept) and each `__proto__` key is removed. Iterative, so any depth is safe.
 */
export function oddStrings(value: unknown, options: { replace?: boolean } = {}): string[] {
  return findOddStrings(value, options).map((f) => f.path);
}

function findOddStrings(value: unknown, options: { replace?: boolean }): OddString[] {
  // Each entry links to its parent, so a path is built only for a hit: linear in the body's size.
  interface Item {
    holder: Record<string | number, unknown> | undefined;
    key: string | number;
    value: unknown;
    parent: Item | undefined;
  }
  const pathOf = (item: Item | undefined, last?: string): string => {
    const parts: Array<string | number> = last === undefined ? [] : [last];
    for (let at = item; at?.holder !== undefined; at = at.parent) parts.push(at.key);
    return jsonPath(parts.reverse());
  };
  const found: OddString[] = [];
  const todo: Item[] = [{ holder: undefined, key: '', value, parent: undefined }];
  while (todo.length > 0) {
    const item = todo.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      if (hasOdd(v)) {
        found.push({ path: pathOf(item), problem: 'character' });
        // A bare string body has no holder to write back to; every body we read is an object.
        if (options.replace && item.holder !== undefined) item.holder[item.key] = replaceOdd(v);
      }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        todo.push({ holder: v as unknown as Record<number, unknown>, key: i, value: v[i], parent: item });
    } else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.includes(PROTOTYPE_KEY)) {
        found.push({ path: pathOf(item, PROTOTYPE_KEY), problem: 'prototype_key' });
        if (options.replace) delete o[PROTOTYPE_KEY];
      }
      if (keys.some(hasOdd)) {
        for (const k of keys.filter(hasOdd)) found.push({ path: pathOf(item, k), problem: 'character' });
        if (options.replace) {
          const entries = Object.keys(o).map((k) => [replaceOdd(k), o[k]] as const);
          for (const k of Object.keys(o)) delete o[k];
          for (const [k, child] of entries)
            Object.defineProperty(o, k, { value: child, writable: true, enumerable: true, configurable: true });
        }
      }
      const now = Object.keys(o).filter((k) => k !== PROTOTYPE_KEY);
      for (let i = now.length - 1; i >= 0; i--) todo.push({ holder: o, key: now[i]!, value: o[now[i]!], parent: item });
    }
  }
  return found;
}

/** Our own API: a NUL or lone surrogate anywhere, or a `__proto__` key, is a 400 naming each field. */
export function refuseOddStrings(value: unknown, what?: string): void {
  const found = findOddStrings(value, {});
  if (found.length > 0)
    throw validationError(
      found.map(({ path, problem }) => ({ path, message: problem === 'character' ? ODD_CHARACTER_MESSAGE : PROTOTYPE_KEY_MESSAGE })),
      what,
    );
}

export const PROTOTYPE_KEY_MESSAGE = 'a key named __proto__ is not accepted (JavaScript would drop it silently); rename it';

export const ODD_CHARACTER_MESSAGE = 'contains a NUL character (\\u0000) or a lone UTF-16 surrogate, which cannot be stored';

/** Whether `s` holds a NUL or a lone surrogate (for values read outside the body, such as a URL segment). */
export { hasOddCharacters };

export const decodeUtf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Where `_replaced` records that the raw body was not valid UTF-8 (its bad bytes became U+FFFD). */
export const INVALID_UTF8 = '(invalid UTF-8 bytes)';

/** The text of a signed webhook body, and whether bytes that are not UTF-8 had to be replaced (U+FFFD). */
export function decodeWebhookBody(bytes: Uint8Array): { text: string; invalid: boolean } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), invalid: false };
  } catch {
    return { text: decodeUtf8(bytes), invalid: true };
  }
}

export function validationError(errors: FieldError[], what = 'event'): AppError {
  const shown = errors.slice(0, 3).map(formatFieldError).join('; ');
  const more = errors.length > 3 ? `; and ${errors.length - 3} more` : '';
  return new AppError('validation_failed', `invalid ${what}, nothing was stored: ${shown}${more}`, {
    details: {
      errors: errors.map((e) => {
        const index = /^events\[(\d+)\]/.exec(e.path)?.[1];
        return index === undefined ? e : { index: Number(index), ...e };
      }),
    },
  });
}

/** Store events that came through our own API (`source: api`), as /v1/events, /v1/events/batch and /v1/consent do. */
export function ingestFromApi(
  deps: { database: Database; suppressionKey?: string; mergePolicy?: MergePolicy },
  events: IngestEvent[],
  now: Date,
  receivedAt?: readonly Date[],
) {
  return ingestEvents(deps.database.db, events, {
    source: 'api',
    now,
    ...(receivedAt ? { receivedAt } : {}),
    ...(deps.mergePolicy && { mergePolicy: deps.mergePolicy }),
    ...(deps.suppressionKey ? { suppressionKey: deps.suppressionKey } : {}),
  });
}

/** The value of a parse, or the 400 naming its fields. */
export function orThrow<T>(result: Result<T, FieldError[]>, what?: string): T {
  if (!result.ok) throw validationError(result.error, what);
  return result.value;
}

/**
 * The events of a parse whose body was flat (`POST /v1/consent`, `POST /v1/orders`: the event's
 * properties are the body's own fields), or the 400 naming the fields in the body's terms
 * (`properties.total` → `total`).
 */
export function orThrowFlat<T>(result: Result<T, FieldError[]>, what: string): T {
  return orThrow(
    result.ok ? result : { ok: false, error: result.error.map((e) => ({ ...e, path: e.path.replace(/^properties\./, '') })) },
    what,
  );
}

/** The longest webhook delivery id (`X-Shopify-Webhook-Id`, `webhook-id`) kept as a receipt: longer is a 400. */
export const MAX_DELIVERY_ID = 255;

/** `Idempotency-Key`: printable, at most 255 characters; absent → undefined. */
export function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw new AppError('bad_request', 'Idempotency-Key must be 1–255 printable characters without spaces');
  }
  return header;
}

/**
 * Signed provider webhooks (`/webhooks/shopify`, `/webhooks/ingest/:source`) are never refused
 * for a NUL or a lone surrogate (a 4xx would make the provider retry the same bytes for days):
 * each such character is replaced by U+FFFD (`oddStrings(body, { replace: true })`) and the event
 * records where, as `properties._replaced`: the sorted paths of the replaced strings (keys too),
 * in the delivered payload for Shopify (`customer.first_name`, `line_items[0].title`) and within
 * the event for ingest bodies (`properties.note`, `contact.attributes.city`). Absent when nothing
 * was replaced; a sender's own `_replaced` property is overwritten.
 */
export const REPLACED_PROPERTY = '_replaced';

export function recordReplaced(events: IngestEvent[], pathsOf: (index: number) => string[]): IngestEvent[] {
  return events.map((e, i) => {
    const paths = pathsOf(i);
    return paths.length === 0 ? e : { ...e, properties: { ...e.properties, [REPLACED_PROPERTY]: [...paths].sort() } };
  });
}

/** Paths of a body in our event shape, per event: `events[2].properties.note` → event 2, `properties.note`. */
export function replacedPerEvent(paths: string[], batch: boolean): (index: number) => string[] {
  if (!batch) return () => paths;
  const byEvent = new Map<number, string[]>();
  for (const path of paths) {
    const m = /^events\[(\d+)\]\.?(.*)$/.exec(path);
    if (!m) continue;
    const list = byEvent.get(Number(m[1])) ?? [];
    list.push(m[2] || '(event)');
    byEvent.set(Number(m[1]), list);
  }
  return (i) => byEvent.get(i) ?? [];
}
