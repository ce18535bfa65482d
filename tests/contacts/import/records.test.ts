import { describe, expect, it } from 'vitest';
import { csvRecords, ndjsonRecords, splitCsv } from '../../../src/events/import/records';
import { interpretRecord } from '../../../src/events/import/rows';

async function* linesOf(text: string) {
  for (const line of text.split('\n')) yield line;
}
const all = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const NOW = new Date('2026-06-01T00:00:00Z');

describe('import records (pure)', () => {
  it('splits CSV: quotes, escaped quotes, empty fields; refuses stray quotes', () => {
    expect(splitCsv('a,"b,c","d ""e""",,f')).toEqual({ fields: ['a', 'b,c', 'd "e"', '', 'f'] });
    expect(splitCsv('a,"open')).toEqual({ open: true });
    expect(splitCsv('a,b"c')).toEqual({ error: 'unexpected quote inside an unquoted field at column 4' });
    expect(splitCsv('"a"b')).toEqual({ error: 'unexpected character after a closing quote at column 4' });
  });

  it('reads CSV records with the line each starts on, across quoted line breaks, mapping headers', async () => {
    const text = '\uFEFFE-mail,x\n\na@example.com,"one\ntwo"\nb@example.com,3\n"never closed,4';
    expect(await all(csvRecords(linesOf(text), { map: { 'E-mail': 'email' } }))).toEqual([
      { line: 3, values: { email: 'a@example.com', x: 'one\ntwo' } },
      { line: 5, values: { email: 'b@example.com', x: '3' } },
      { line: 6, problem: { column: '(line)', message: 'unterminated quoted field' } },
    ]);
    await expect(all(csvRecords(linesOf('')))).rejects.toThrow(/needs a header line/);
  });

  it('reads NDJSON objects; other lines are problems', async () => {
    expect(await all(ndjsonRecords(linesOf('{"id":"a"}\n[1]\n{oops')))).toEqual([
      { line: 1, values: { id: 'a' } },
      { line: 2, problem: { column: '(line)', message: 'expected a JSON object' } },
      { line: 3, problem: expect.objectContaining({ column: '(line)' }) },
    ]);
  });

  it('interprets a row: evidence decides whether a grant is recorded', () => {
    const base = { id: 'c1', email: 'A@Example.com', consent_email_marketing: 'true' };
    const evidence = { consent_text: 'T', consent_text_version: 'v1', consent_source: 'form', consent_at: '2026-01-01T00:00:00Z' };
    const ok = interpretRecord(2, { ...base, ...evidence }, NOW);
    expect(ok).toMatchObject({
      ok: true,
      row: { key: 'external:app:c1', contact: { externalId: 'c1', email: 'a@example.com' }, withoutConsent: false },
    });
    expect(ok.ok && ok.row.consent).toMatchObject({ granted: true, textVersion: 'v1', source: 'form' });
    const bare = interpretRecord(2, { ...base, ...evidence, consent_text_version: '' }, NOW);
    expect(bare).toMatchObject({ ok: true, row: { withoutConsent: true } });
    expect(bare.ok && bare.row.consent).toBeUndefined();
    expect(interpretRecord(2, { ...base, ...evidence, consent_at: '2027-01-01T00:00:00Z' }, NOW)).toEqual({
      ok: false,
      problems: [{ line: 2, column: 'consent_at', message: 'expected a time between 2000-01-01 and now' }],
    });
    expect(interpretRecord(4, { id: 'c2', consent_email_marketing: 'maybe', locale: 'x' }, NOW)).toEqual({
      ok: false,
      problems: [
        { line: 4, column: 'locale', message: 'expected a locale such as pl or en-GB' },
        { line: 4, column: 'consent_email_marketing', message: 'expected true or false' },
      ],
    });
  });
});
