import Handlebars from 'handlebars';

/** A handlebars AST node, as far as the checks need it. */
export interface HbsNode {
  type: string;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

export type ParseOutcome = { ok: true; ast: HbsNode } | { ok: false; line: number; col: number; message: string };

/**
 * Parse a template for `almanac validate`, with the place of a syntax error. Handlebars' own
 * message only says "Parse error on line N" (plus a caret under a 20-character excerpt), so on
 * failure the source is parsed again by a private copy of the generated parser whose
 * `parseError` keeps the token's location (the shared parser is not touched). Block mismatches
 * ("each doesn't match if") carry their place on the error already.
 */
export function parseTemplate(source: string): ParseOutcome {
  try {
    return { ok: true, ast: Handlebars.parse(source) as unknown as HbsNode };
  } catch (err) {
    const e = err as Error & { lineNumber?: number; column?: number };
    const summary = summarize(e.message);
    if (typeof e.lineNumber === 'number') return { ok: false, line: e.lineNumber, col: (e.column ?? 0) + 1, message: summary };
    const at = openingOf(source, locateParseError(source) ?? { line: 1, col: 1 });
    return { ok: false, line: at.line, col: at.col, message: summary };
  }
}

function locateParseError(source: string): { line: number; col: number } | undefined {
  const shared = (Handlebars as unknown as { Parser: object }).Parser;
  const parser = Object.create(shared) as { parse(s: string): unknown; parseError(s: string, hash: unknown): never };
  let found: { line: number; col: number } | undefined;
  parser.parseError = (message: string, hash: unknown) => {
    const loc = (hash as { loc?: { first_line: number; first_column: number } } | undefined)?.loc;
    if (loc) found = { line: loc.first_line, col: loc.first_column + 1 };
    throw new Error(message);
  };
  try {
    parser.parse(source);
  } catch {
    // The location is what we came for.
  }
  return found;
}

/** The parser stops at the token after the fault; point at the `{{` of the unfinished mustache on that line instead. */
function openingOf(source: string, at: { line: number; col: number }): { line: number; col: number } {
  const before = (source.split('\n')[at.line - 1] ?? '').slice(0, at.col - 1);
  const open = before.lastIndexOf('{{');
  return open >= 0 && !before.slice(open).includes('}}') ? { line: at.line, col: open + 1 } : at;
}

/** "Parse error on line 3: …excerpt… Expecting 'ID', got 'INVALID'" → "expected one of ID, …; got INVALID". */
function summarize(message: string): string {
  const lines = message.split('\n');
  const expecting = /^Expecting (.*), got '([^']*)'/.exec(lines[lines.length - 1] ?? '');
  if (expecting) {
    const wanted = expecting[1]!.replace(/'/g, '').split(', ');
    const got = expecting[2] === 'INVALID' ? 'an unexpected character' : expecting[2] === 'EOF' ? 'the end of the file' : expecting[2]!;
    return `syntax error: got ${got}${wanted.length <= 4 ? `, expected ${wanted.join(' or ')}` : ''}`;
  }
  return `syntax error: ${lines[0]!.replace(/ - \d+:\d+$/, '').replace(/^Parse error on line \d+:?\s*/, '')}`;
}

/** Every node below `node`, depth first, in source order. */
export function* nodes(node: unknown): Generator<HbsNode> {
  if (Array.isArray(node)) {
    for (const n of node) yield* nodes(n);
    return;
  }
  if (typeof node !== 'object' || node === null || !('type' in node)) return;
  yield node as HbsNode;
  for (const [key, value] of Object.entries(node)) if (key !== 'loc' && key !== 'strip') yield* nodes(value);
}
