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
  for (const e of doc.errors) {
    source.diagnostics.push({
      ...locate(source, e.pos[0]),
      file,
      severity: 'error',
      message: `malformed YAML: ${yamlMessage(e.message)}`,
      hint: yamlHint(e.code),
    });
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
