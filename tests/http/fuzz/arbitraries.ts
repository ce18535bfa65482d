import fc from 'fast-check';
import { clone, deepText, deleteAt, getAt, type Json, pathsOf, Raw, setKey, toJson, updateAt } from './json';

/**
 * Generators of the fuzz test (tests/http/fuzz.test.ts): hostile leaves and keys, mutations of
 * valid bodies (a random node replaced, a key added or dropped, deep or wide nesting spliced in),
 * arbitrary JSON, byte-level damage of the body text, and fuzzed query strings and path segments.
 */

const nul = ['\u0000', 'a\u0000b', 'trailing\u0000'];
const surrogates = ['\ud800', 'x\udc00y', '\udbff', '\udc00\ud800', 'ok😀then\ud83d'];
const unicode = ['😀', '👩‍👩‍👧‍👦', '\u202egnp.exe', 'שלום', 'مرحبا بالعالم', '\u200b', '\ufeff', 'Ω≈ç√∫', 'ﷺ', 'e\u0301', '\u2028\u2029'];
const emptyish = ['', ' ', '\t', 'null', 'undefined', 'NaN', '0', 'true', '[]', '{}'];
const dates = [
  '0001-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '1999-12-31T23:59:59Z',
  '2000-01-01T00:00:00Z',
  '2026-11-23T10:44:00Z',
  '2026-11-23T10:50:00Z',
  '2026-11-23T12:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.000Z',
  '275760-09-13T00:00:00Z',
  '+275761-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-11-23T25:61:61Z',
  '2026-11-23T10:00:00+25:00',
  '2026-11-23T10:00:00',
  '2026-11-23',
  '2026-11-23T10:00:00.123456789Z',
  'Mon, 23 Nov 2026 10:00:00 GMT',
  'now',
  'yesterday',
];
const zones = [
  'Europe/Warsaw',
  'europe/warsaw',
  'UTC',
  'US/Pacific',
  'EST5EDT',
  'Etc/GMT+14',
  'Etc/GMT-15',
  'Mars/Olympus_Mons',
  '+01:00',
  'GMT+1',
  'Europe/../etc/passwd',
  'Europe/Warsaw\u0000',
  'A'.repeat(300),
];
const emails = [
  'ada@example.com',
  'ADA@EXAMPLE.COM',
  'grace@example.com',
  'a@b',
  '"a b"@example.com',
  'ü@ü.de',
  `${'x'.repeat(320)}@e.com`,
  'ada@example.com\u0000',
  'not-an-email',
];
const rawNumbers = [
  '1e308',
  '-1e308',
  '1e309',
  '-1e400',
  '1E-400',
  '5e-324',
  '-0',
  '-0.0',
  '0e0',
  '1.0',
  '0.1',
  '12345678901234567890123',
  '-12345678901234567890123',
  '9007199254740993',
  '-9007199254740993',
  '9007199254740991',
  '820982911946154508',
  '1' + '0'.repeat(400),
  '0.' + '0'.repeat(400) + '1',
  '123456789012345678901234567890.5',
];
const protoKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** Strings of any UTF-16 code unit, lone surrogates and NUL included. */
const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });

/**
 * `length` pseudo-random letters and digits from `seed` (an LCG): incompressible, so PostgreSQL
 * cannot squeeze them under a btree index's size limit, and shrinking keeps them random.
 */
export function noise(length: number, seed: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let x = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out += alphabet[x % 36];
  }
  return out;
}

export const longNoise = (min: number, max: number) =>
  fc.tuple(fc.integer({ min, max }), fc.nat()).map(([length, seed]) => noise(length, seed));

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...nul, ...surrogates),
  fc.constantFrom(...unicode, ...emptyish),
  fc.constantFrom(...dates),
  fc.constantFrom(...zones, ...emails, ...protoKeys),
  anyUnits,
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  { arbitrary: fc.constantFrom(255, 256, 321, 10_001, 100_000).map((n) => 'x'.repeat(n)), weight: 1 },
  { arbitrary: fc.constantFrom(1_000_000).map((n) => '😀'.repeat(n / 2)), weight: 1 },
  { arbitrary: longNoise(256, 12_000), weight: 1 },
);

export const nastyKey: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...protoKeys), weight: 3 },
  fc.constantFrom('', ' ', 'a.b', '[0]', 'a"b', 'k\u0000', 'k\ud800', '😀', '\u202eevil', 'x'.repeat(1000)),
  fc.constantFrom('id', 'type', 'contact', 'properties', 'occurred_at', 'events', 'email', 'attributes', '_replaced', 'extra'),
  anyUnits,
);

const leaf: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: nastyString, weight: 4 },
  { arbitrary: fc.constantFrom(...rawNumbers).map((t) => new Raw(t)), weight: 2 },
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, [], {}),
  fc.double().map((d): Json => (Number.isFinite(d) ? d : null)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((b) => new Raw(String(b))),
);

/** Arbitrary JSON with hostile keys and leaves, up to a few levels. */
export const anyJson: fc.Arbitrary<Json> = fc.letrec<{ node: Json; arr: Json[]; obj: Record<string, Json> }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj')),
  arr: fc.array(tie('node'), { maxLength: 5 }),
  obj: fc.array(fc.tuple(nastyKey, tie('node')), { maxLength: 5 }).map((entries) => {
    const o: Record<string, Json> = {};
    for (const [k, v] of entries) setKey(o, k, v);
    return o;
  }),
})).node;

export const nastyValue: fc.Arbitrary<Json> = fc.oneof({ arbitrary: leaf, weight: 4 }, anyJson);

export type Mutation =
  | { op: 'replace' | 'add' | 'delete' | 'wrap'; pick: number; key: string; value: Json }
  | { op: 'deep'; pick: number; depth: number; kind: 'object' | 'array' | 'mixed' }
  | { op: 'wide'; pick: number; width: number; array: boolean };

const pick = fc.nat();
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom('replace', 'add', 'delete', 'wrap'), pick, key: nastyKey, value: nastyValue }), weight: 8 },
  {
    arbitrary: fc.record({
      op: fc.constant('deep'),
      pick,
      depth: fc.constantFrom(2, 62, 63, 64, 65, 100, 1000, 20_000),
      kind: fc.constantFrom('object', 'array', 'mixed'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('wide'), pick, width: fc.constantFrom(100, 2000, 20_000), array: fc.boolean() }), weight: 1 },
) as fc.Arbitrary<Mutation>;

/** Apply mutations to a copy of `valid`: each picks a node by index among all nodes. */
export function mutate(valid: Json, mutations: Mutation[]): Json {
  let root: unknown = clone(valid);
  for (const given of mutations) {
    // A copy: inserting fast-check's own value would let a later mutation change it in place, and a
    // replayed (shrunk) case then meets an already-grown — even cyclic — value (a stack overflow).
    const m = 'value' in given ? { ...given, value: clone(given.value) } : given;
    const paths = pathsOf(root);
    const path = paths[m.pick % paths.length]!;
    switch (m.op) {
      case 'replace':
        root = updateAt(root, path, () => m.value);
        break;
      case 'add': {
        const node = getAt(root, path);
        if (Array.isArray(node)) node.push(m.value);
        else if (node !== null && typeof node === 'object' && !(node instanceof Raw))
          setKey(node as Record<string, unknown>, m.key, m.value);
        else root = updateAt(root, path, () => m.value);
        break;
      }
      case 'delete':
        root = deleteAt(root, path);
        break;
      case 'wrap':
        root = updateAt(root, path, (node) => (m.key.length % 2 === 0 ? [node] : Object.fromEntries([['x', node]])));
        break;
      case 'deep':
        root = updateAt(root, path, () => new Raw(deepText(m.depth, m.kind)));
        break;
      case 'wide':
        root = updateAt(root, path, () =>
          m.array
            ? new Raw(`[${Array.from({ length: m.width }, (_, i) => i).join(',')}]`)
            : new Raw(`{${Array.from({ length: m.width }, (_, i) => `"k${i}":${i}`).join(',')}}`),
        );
        break;
    }
  }
  return root as Json;
}

/** Damage done to the body text after serialising: most bodies are left alone. */
export type TextDamage =
  | { kind: 'none' }
  | { kind: 'truncate'; at: number }
  | { kind: 'bytes'; at: number; bytes: readonly number[] }
  | { kind: 'bom' }
  | { kind: 'trailing'; text: string }
  | { kind: 'duplicate'; key: string; value: Json; atEnd: boolean }
  | { kind: 'replaceAll'; text: string };

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
export const textDamage: fc.Arbitrary<TextDamage> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 12 },
  fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
  {
    arbitrary: fc.record({
      kind: fc.constant('bytes' as const),
      at: fraction,
      bytes: fc.constantFrom(
        [0xff],
        [0xfe, 0xff],
        [0xc3, 0x28],
        [0xed, 0xa0, 0x80],
        [0xc0, 0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0xe2, 0x82],
        [0x80],
      ),
    }),
    weight: 3,
  },
  fc.constant({ kind: 'bom' as const }),
  fc.record({ kind: fc.constant('trailing' as const), text: fc.constantFrom(',', '}', ']', ' x', '\u0000', '\n{}', '//c', ' ') }),
  {
    arbitrary: fc.record({
      kind: fc.constant('duplicate' as const),
      key: fc.constantFrom('id', 'type', 'contact', 'properties', 'occurred_at', 'events', 'email', 'attributes', 'token', '__proto__'),
      value: nastyValue,
      atEnd: fc.boolean(),
    }),
    weight: 3,
  },
  fc.record({
    kind: fc.constant('replaceAll' as const),
    text: fc.constantFrom(
      '',
      ' ',
      'null',
      '[]',
      '"a string"',
      '0',
      'true',
      '{',
      '}',
      '[',
      '{"a":1,}',
      "{'a':1}",
      '{"a":NaN}',
      '{"a":Infinity}',
      '{"a":1 /* c */}',
      '{"a":"\\x41"}',
      '{"a":"\\u12"}',
      '{"a":"\\ud800"}',
      '{"events":null}',
      '{"events":[]}',
      '{"events":{}}',
      '{"events":[null]}',
      deepText(20_000, 'array', ''),
      deepText(5000, 'object'),
      'x'.repeat(2 * 1024 * 1024 + 10),
    ),
  }),
);

/** The body text after damage, as bytes (damage may make it invalid UTF-8). */
export function damage(text: string, d: TextDamage): Buffer {
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  switch (d.kind) {
    case 'none':
      return utf8(text);
    case 'truncate':
      return utf8(text.slice(0, Math.floor(d.at * text.length)));
    case 'bytes': {
      // Inside a string literal where one starts after the chosen point, so the JSON around it still holds.
      const from = Math.floor(d.at * text.length);
      const quote = text.indexOf('"', from);
      const at = quote === -1 ? from : quote + 1;
      return Buffer.concat([utf8(text.slice(0, at)), Buffer.from(d.bytes), utf8(text.slice(at))]);
    }
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(text)]);
    case 'trailing':
      return utf8(text + d.text);
    case 'duplicate': {
      if (!text.startsWith('{') || !text.endsWith('}') || text === '{}') return utf8(text);
      const member = `${JSON.stringify(d.key)}:${toJson(d.value)}`;
      return utf8(d.atEnd ? `${text.slice(0, -1)},${member}}` : `{${member},${text.slice(1)}`);
    }
    case 'replaceAll':
      return utf8(d.text);
  }
}

export interface Body {
  how: string;
  bytes: Buffer;
}

/** A body that fast-check prints briefly in a counterexample (the failure message has the exact text). */
export function body(how: string, bytes: Buffer): Body {
  return { how, bytes, [fc.toStringMethod]: () => `<body: ${how}; ${bytes.length} bytes>` } as Body;
}

/** A body: mostly a mutated valid one, else arbitrary JSON; then possibly damaged. */
export function bodyOf(valid: fc.Arbitrary<Json>): fc.Arbitrary<Body> {
  const value = fc.oneof(
    {
      arbitrary: fc
        .tuple(
          valid,
          fc.oneof(
            { arbitrary: fc.constant<Mutation[]>([]), weight: 1 },
            { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }), weight: 4 },
            { arbitrary: fc.array(mutation, { minLength: 2, maxLength: 3 }), weight: 2 },
          ),
        )
        .map(([v, ms]) => ({ how: `mutated×${ms.length}`, value: mutate(v, ms) })),
      weight: 8,
    },
    { arbitrary: anyJson.map((value) => ({ how: 'arbitrary', value })), weight: 2 },
  );
  return fc.tuple(value, textDamage).map(([{ how, value: v }, d]) => body(`${how}, damage ${d.kind}`, damage(toJson(v), d)));
}

// ---- query strings and path segments ----------------------------------------------------------

/** Percent-encode, writing lone surrogates as their (invalid) 3-byte UTF-8 form instead of throwing. */
export function enc(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** Already-encoded junk: broken and odd percent escapes. */
export const rawEscape = fc.constantFrom(
  '%',
  '%zz',
  '%0',
  '%00',
  '%ED%A0%80',
  '%FF',
  '%C0%80',
  '+',
  '%2B',
  '%25',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '%2F',
  '..',
  '%2e%2e',
);

export const dateParam: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '2026-11-01',
    '2026-11-30',
    '2026-11-23',
    '2026-01-01',
    '2027-01-01',
    '2027-01-02',
    '2025-11-23',
    '1900-01-01',
    '2999-12-31',
  ),
  fc.constantFrom(
    '0001-01-01',
    '9999-12-31',
    '275760-09-13',
    '+275760-09-13',
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '2026-1-1',
    '20261123',
    '',
  ),
  fc.constantFrom('2026-11', '1899-12', '3000-01', '2026-00', '2026-13', '0001-01', '2026-11-23T00:00:00Z'),
  fc.date({ min: new Date('1800-01-01'), max: new Date('3100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  nastyString.filter((s) => s.length < 2000),
);

export const numberParam = fc.oneof(
  fc.constantFrom('1', '50', '500', '501', '0', '-1', '-0', '1.5', '1e2', '0x10', ' 5', '5 ', '', 'NaN', 'Infinity', '1e308'),
  fc.constantFrom('12345678901234567890123', '9007199254740993', '00000000000000000001'),
  fc.integer().map(String),
);

/** `?name=value&…` from pairs; values are encoded (or raw escape junk); names repeat sometimes. */
export function queryOf(names: string[], value: fc.Arbitrary<string>, valid: string[] = []): fc.Arbitrary<string> {
  const encoded = fc.oneof(
    { arbitrary: value.map(enc), weight: 6 },
    rawEscape,
    fc.tuple(value, rawEscape).map(([v, r]) => enc(v) + r),
  );
  const name = fc.oneof(
    { arbitrary: fc.constantFrom(...names), weight: 6 },
    fc.constantFrom('', 'x', '__proto__', '%00', 'from[]', 'a%ZZ'),
  );
  const pair = fc.oneof(
    { arbitrary: fc.tuple(name, encoded).map(([n, v]) => `${n}=${v}`), weight: 8 },
    name.map((n) => n),
    fc.constant('='),
    fc.constant('&'),
  );
  const pairs = fc.array(pair, { maxLength: 5 }).map((ps) => ps.join('&'));
  // Now and then a valid query with fuzzed extras (a repeated name: Hono reads the first).
  const base = valid.length === 0 ? fc.constant('') : fc.oneof(fc.constant(''), fc.constantFrom(...valid));
  return fc
    .tuple(base, pairs)
    .map(([b, p]) => [b, p].filter(Boolean).join('&'))
    .map((q) => (q === '' ? '' : `?${q}`));
}

/** A path segment: pool ids, arbitrary strings, junk escapes, long, huge integers. */
export const segment = (pool: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...pool).map(enc), weight: 4 },
    nastyString.filter((s) => s.length < 400).map(enc),
    rawEscape,
    fc.tuple(fc.constantFrom(...pool), rawEscape).map(([p, r]) => enc(p) + r),
    fc.constantFrom('x'.repeat(255), 'x'.repeat(256), '12345678901234567890123', '9007199254740993', '-0', '__proto__', 'constructor'),
  );

export const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 10 },
  fc.constantFrom(
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    'text/html',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=zz',
    'application/octet-stream',
    '',
  ),
  fc.constant(undefined),
);

export const accept = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 4 },
  fc.constantFrom('application/json', 'text/html', '*/*', 'text/html,application/xhtml+xml'),
);

/** Printable ASCII, so the client-side Headers accepts it; the server decides what is valid. */
export const idempotencyKey = fc.option(
  fc.oneof(
    fc.constantFrom('req-1', 'req-2', 'has space', 'x'.repeat(255), 'x'.repeat(256), '"quoted"'),
    fc
      .string({ unit: 'binary-ascii', maxLength: 20 })
      .map((s) => s.replace(/[^\x20-\x7e]/g, ''))
      .filter((s) => s.trim() === s),
  ),
  { freq: 3 },
);
