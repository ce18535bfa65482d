import { columnOf } from './rows';
/**
 * The records of an import file, read one line at a time (never the whole file): CSV (RFC 4180:
 * `,` separated, `"` quoted, `""` an escaped quote, a quoted field may hold commas and line
 * breaks) and NDJSON (one JSON object per line). Each record carries the line it starts on
 * (1-based, the header is line 1); a line that cannot be read is a `problem` for that line and
 * the reading goes on. Blank lines are skipped.
 */
import { AppError } from '../../errors';

/** One record: the values by (already mapped) column name, or why the line could not be read. */
export type FileRecord = { line: number; values: Record<string, unknown> } | { line: number; problem: { column: string; message: string } };

/** A quoted CSV field left open for longer than this is unterminated: the record is dropped as a problem. */
export const MAX_RECORD_CHARS = 64 * 1024;

type Split = { fields: string[] } | { open: true } | { error: string };

/** Split one CSV record (possibly several physical lines joined by `\n`). */
export function splitCsv(text: string): Split {
  const fields: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atStart = true;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        // After a closing quote only a separator or the end may follow.
        if (i < text.length && text[i] !== ',') return { error: `unexpected character after a closing quote at column ${i + 1}` };
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      atStart = true;
      i++;
      continue;
    }
    if (ch === '"') {
      if (!atStart) return { error: `unexpected quote inside an unquoted field at column ${i + 1}` };
      quoted = true;
      atStart = false;
      i++;
      continue;
    }
    field += ch;
    atStart = false;
    i++;
  }
  if (quoted) return { open: true };
  fields.push(field);
  return { fields };
}

export interface ReadOptions {
  /** `--map`: header → field (`E-mail` → `email`); other headers stay as they are. */
  map?: Record<string, string>;
}

/** CSV records, the first line naming the columns. Throws an AppError only for a missing or unreadable header. */
export async function* csvRecords(lines: AsyncIterable<string>, options: ReadOptions = {}): AsyncGenerator<FileRecord> {
  let header: string[] | undefined;
  let lineNo = 0;
  let pending: { start: number; text: string } | undefined;
  for await (const raw of lines) {
    lineNo++;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (!pending && line.trim() === '') continue;
    const start = pending?.start ?? lineNo;
    const text = pending ? `${pending.text}\n${line}` : line;
    const split = splitCsv(text);
    if ('open' in split) {
      if (text.length > MAX_RECORD_CHARS) {
        pending = undefined;
        yield { line: start, problem: { column: '(line)', message: 'unterminated quoted field' } };
      } else pending = { start, text };
      continue;
    }
    pending = undefined;
    if ('error' in split) {
      if (!header) throw new AppError('validation_failed', `the header line cannot be read: ${split.error}`);
      yield { line: start, problem: { column: '(line)', message: split.error } };
      continue;
    }
    if (!header) {
      header = split.fields.map((h) => mapped(h.trim(), options.map));
      continue;
    }
    if (split.fields.length !== header.length) {
      yield { line: start, problem: { column: '(line)', message: `expected ${header.length} fields, found ${split.fields.length}` } };
      continue;
    }
    const values: Record<string, unknown> = {};
    header.forEach((name, k) => (values[name] = split.fields[k]));
    yield { line: start, values };
  }
  if (pending) yield { line: pending.start, problem: { column: '(line)', message: 'unterminated quoted field' } };
  if (!header) throw new AppError('validation_failed', 'the file is empty: a CSV import needs a header line naming the columns');
}

/** NDJSON records: each line one JSON object whose keys are the columns (mapped like CSV headers). */
export async function* ndjsonRecords(lines: AsyncIterable<string>, options: ReadOptions = {}): AsyncGenerator<FileRecord> {
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      yield { line: lineNo, problem: { column: '(line)', message: `not JSON: ${err instanceof Error ? err.message : String(err)}` } };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line: lineNo, problem: { column: '(line)', message: 'expected a JSON object' } };
      continue;
    }
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) values[mapped(k, options.map)] = v;
    yield { line: lineNo, values };
  }
}

const mapped = (name: string, map: Record<string, string> | undefined) => columnOf(map && Object.hasOwn(map, name) ? map[name]! : name);
