import { type Document, LineCounter, type Node, type ParsedNode, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Diagnostic } from './diagnostics';

/**
 * One parsed file and the diagnostics found in it. Every check reports through `error`/`warn`
 * with the YAML node at fault, so each message carries file:line:col (1-based) of that node.
 */
export interface Source {
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  diagnostics: Diagnostic[];
}

/** Anything we can point at: a node, or a raw source offset. */
export type Place = Node | ParsedNode | number | null | undefined;

export function parseSource(file: string, text: string): Source {
  const lineCounter = new LineCounter();
  // Core schema (YAML 1.2): `2026-12-25` and `21:00` stay strings, `yes` is not a boolean.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const source: Source = { file, text, doc, lineCounter, diagnostics: [] };
  // The first structure error only: the ones after it are almost always its echoes.
  const first = doc.errors[0];
  if (first) {
    const at = locate(source, first.pos[0]);
    // The parser often stops on the line before the one out of line: look at both.
    const indent =
      first.code === 'TAB_AS_INDENT'
        ? undefined
        : (indentationProblem(text, at.line) ?? (at.line < text.split('\n').length ? indentationProblem(text, at.line + 1) : undefined));
    source.diagnostics.push(
      indent
        ? { file, severity: 'error', ...indent }
        : { ...at, file, severity: 'error', message: `malformed YAML: ${yamlMessage(first.message)}`, hint: yamlHint(first.code) },
    );
  }
  return source;
}

export function locate(source: Source, place: Place): { line: number; col: number } {
  const offset = typeof place === 'number' ? place : (place?.range?.[0] ?? 0);
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, col };
}

export function error(source: Source, place: Place, message: string, hint?: string): undefined {
  source.diagnostics.push({ file: source.file, ...locate(source, place), severity: 'error', message, ...(hint ? { hint } : {}) });
  return undefined;
}

export function warn(source: Source, place: Place, message: string, hint?: string): void {
  source.diagnostics.push({ file: source.file, ...locate(source, place), severity: 'warning', message, ...(hint ? { hint } : {}) });
}

export const hasErrors = (source: Source): boolean => source.diagnostics.some((d) => d.severity === 'error');

/** Follows `*alias` references to the anchored node. */
export function deref(source: Source, node: unknown): Node | null {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return (node.resolve(source.doc) as Node | undefined) ?? null;
  return node as Node;
}

/** How a node reads to a marketer, for "expected X, got Y" messages. */
export function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'number') return `the number ${v}`;
    if (typeof v === 'boolean') return `${v}`;
    return `"${String(v)}"`;
  }
  return 'something else';
}

/**
 * A wrong indentation at `line` (1-based), said in our words, at the line's first character: a
 * list item out of line with the items above it, or a key out of line with the keys of its map.
 * Undefined when the line looks fine (the YAML message is shown instead).
 */
export function indentationProblem(text: string, line: number): { line: number; col: number; message: string; hint: string } | undefined {
  const lines = text.split('\n');
  const here = lines[line - 1];
  if (here === undefined || here.trim() === '') return undefined;
  const indentOf = (l: string) => l.length - l.trimStart().length;
  const content = (l: string) => l.trim() !== '' && !l.trimStart().startsWith('#');
  const indent = indentOf(here);
  const item = here.trimStart().startsWith('- ');
  const above: Array<{ n: number; text: string }> = [];
  for (let n = line - 2; n >= 0; n--) if (content(lines[n]!)) above.push({ n: n + 1, text: lines[n]! });
  const previous = above[0];
  if (!previous) return undefined;
  const spaces = (n: number) => `${n} space${n === 1 ? '' : 's'}`;
  if (item) {
    // The list item above that is nearest in indentation: the one this should line up with.
    const sibling = above.find(
      (a) => a.text.trimStart().startsWith('- ') && Math.abs(indentOf(a.text) - indent) <= 3 && indentOf(a.text) !== indent,
    );
    if (sibling && !above.some((a) => a.n > sibling.n && a.text.trimStart().startsWith('- ') && indentOf(a.text) === indent)) {
      const want = indentOf(sibling.text);
      return {
        line,
        col: indent + 1,
        message: `this list item is indented ${spaces(indent)}, the one on line ${sibling.n} ${spaces(want)}`,
        hint: `line it up with line ${sibling.n}: start the "- " after ${spaces(want)}`,
      };
    }
    return undefined;
  }
  const key = /^([A-Za-z_][\w.-]*)\s*:/.exec(here.trimStart())?.[1];
  if (!key) return undefined;
  // The keys of the map above start where its first key does: after "- " for a list item.
  const prevTrim = previous.text.trimStart();
  const prevKeyCol = indentOf(previous.text) + (prevTrim.startsWith('- ') ? 2 : 0);
  const prevKey = /^(?:- )?([A-Za-z_][\w.-]*)\s*:/.exec(prevTrim)?.[1];
  if (!prevKey || indent === prevKeyCol || indent < indentOf(previous.text)) return undefined;
  return {
    line,
    col: indent + 1,
    message: `"${key}:" is indented ${spaces(indent)}, but "${prevKey}:" on line ${previous.n} starts after ${spaces(prevKeyCol)}`,
    hint: `to put ${key} in the same map as ${prevKey}, indent it ${spaces(prevKeyCol)}; for a new list item, start it with "- " under the one above`,
  };
}

// The yaml package's messages end in " at line L, column C" (we print our own place).
function yamlMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a map; remove or rename one';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'BAD_SCALAR_START':
      return 'check the indentation and close every bracket and quote';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'MULTIPLE_DOCS':
      return 'one campaign per file: remove the --- separator';
    default:
      return 'fix the YAML syntax here';
  }
}
