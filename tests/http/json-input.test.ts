import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { AppError } from '../../src/errors';
import { jsonPath, oddStrings, parseJson, recordReplaced, replacedPerEvent } from '../../src/http/events-input';

const nested = (depth: number, open = '{"a":', close = '}') => `${open.repeat(depth - 1)}{}${close.repeat(depth - 1)}`;
const failure = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
};

describe('parseJson', () => {
  it('keeps integers beyond 2^53 as their exact digits and every other number a number', () => {
    expect(
      parseJson('{"id":820982911946154508,"neg":-9007199254740993,"safe":9007199254740991,"x":1.5,"e":1e3,"big":[12345678901234567890]}'),
    ).toEqual({
      id: '820982911946154508',
      neg: '-9007199254740993',
      safe: 9007199254740991,
      x: 1.5,
      e: 1000,
      big: ['12345678901234567890'],
    });
    // Two ids that round to the same double stay two ids.
    expect(parseJson('[820982911946154508, 820982911946154509]')).toEqual(['820982911946154508', '820982911946154509']);
  });

  it('keeps the last of a repeated key, as JSON.parse does, and a __proto__ key as plain data', () => {
    expect(parseJson('{"a":1,"a":2}')).toEqual({ a: 2 });
    const o = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers invalid JSON with bad_request', () => {
    const err = failure(() => parseJson('{"a":'));
    expect(err.code).toBe('bad_request');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^the body is not valid JSON: /);
  });

  it('accepts nesting up to the limit and names the path where it gets deeper', () => {
    expect(() => parseJson(nested(64))).not.toThrow();
    const err = failure(() => parseJson(nested(65)));
    expect(err).toMatchObject({ code: 'bad_request', status: 400, details: { path: Array(64).fill('a').join('.'), maxDepth: 64 } });
    const arrays = failure(() => parseJson('{"events":[{"id":"x"},{"properties":{"list":[1,[2,[3]]]}}]}', { maxDepth: 5 }));
    expect(arrays.details).toEqual({ path: 'events[1].properties.list[1]', maxDepth: 5 });
  });

  it('reads brackets and escaped quotes inside strings as text, and odd keys as JSON strings', () => {
    expect(() => parseJson('{"a":"[[[[{{{{\\"[[[[","b":["]]]]"]}', { maxDepth: 2 })).not.toThrow();
    const err = failure(() => parseJson('{"we\\"ird.key":{"x":[[]]}}', { maxDepth: 3 }));
    expect(err.details).toEqual({ path: '["we\\"ird.key"].x[0]', maxDepth: 3 });
  });

  it('survives 100 000 levels without a stack overflow (no recursion anywhere)', () => {
    const deep = `{"properties":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(failure(() => parseJson(deep)).details).toMatchObject({ maxDepth: 64 });
    const value: unknown[] = [];
    let cur = value;
    for (let i = 0; i < 100_000; i++) cur = cur[0] = [] as unknown[];
    expect(oddStrings(value)).toEqual([]);
  });
});

describe('oddStrings', () => {
  it('finds NUL and lone surrogates in values and keys, but not a surrogate pair', () => {
    const body = parseJson(
      '{"ok":"😀 fine","nul":"a\\u0000b","hi":["\\ud800"],"lo":"x\\udc00","k\\u0000":1,"deep":{"e":[{"f":"\\ud83d"}]}}',
    );
    expect(oddStrings(body).sort()).toEqual(['["k\\u0000"]', 'deep.e[0].f', 'hi[0]', 'lo', 'nul'].sort());
  });

  it('replaces each odd character by U+FFFD in place, keeping key order', () => {
    const body = parseJson('{"a":"x\\u0000y\\ud800","b\\udfff":{"c":"ok"},"z":1}') as Record<string, unknown>;
    expect(oddStrings(body, { replace: true }).sort()).toEqual(['["b\\udfff"]', 'a']);
    expect(body).toEqual({ a: 'x\ufffdy\ufffd', 'b\ufffd': { c: 'ok' }, z: 1 });
    expect(Object.keys(body)).toEqual(['a', 'b\ufffd', 'z']);
    expect(oddStrings(body)).toEqual([]);
  });

  it('groups batch paths per event for _replaced', () => {
    const of = replacedPerEvent(['events[1].properties.note', 'events[1].contact.attributes.city', 'events[3].id'], true);
    expect([of(0), of(1), of(3)]).toEqual([[], ['properties.note', 'contact.attributes.city'], ['id']]);
    const base = { dedupeKey: 'k', type: 'a.b', occurredAt: new Date(0), contact: {}, properties: { x: 1 } };
    expect(recordReplaced([base, base], (i) => (i === 1 ? ['z', 'a'] : []))).toEqual([
      base,
      { ...base, properties: { x: 1, _replaced: ['a', 'z'] } },
    ]);
  });

  it('formats paths like field errors', () => {
    expect(jsonPath(['events', 3, 'contact', 'email'])).toBe('events[3].contact.email');
    expect(jsonPath([])).toBe('(body)');
    expect(jsonPath(['properties', 'a b'])).toBe('properties["a b"]');
  });
});

describe('JSON_MAX_DEPTH', () => {
  it('defaults to 64, takes 1–1000, and the largest still parses without exhausting the stack', () => {
    expect(loadConfig({}).http.jsonMaxDepth).toBe(64);
    expect(loadConfig({ JSON_MAX_DEPTH: '1000' }).http.jsonMaxDepth).toBe(1000);
    expect(() => loadConfig({ JSON_MAX_DEPTH: '0' })).toThrow(/JSON_MAX_DEPTH: expected a whole number from 1 to 1000/);
    expect(() => loadConfig({ JSON_MAX_DEPTH: '5000' })).toThrow(/JSON_MAX_DEPTH/);
    const deepest = `${'['.repeat(1000)}${']'.repeat(1000)}`;
    expect(() => parseJson(deepest, { maxDepth: 1000 })).not.toThrow();
    expect(() => parseJson(`[${deepest}]`, { maxDepth: 1000 })).toThrow(/deeper than 1000 levels/);
  });
});
