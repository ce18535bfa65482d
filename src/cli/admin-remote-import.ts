import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { AppError, type ErrorCode } from '../errors';
import type { ImportSummary } from '../events/import/run';
import type { ImportStreamLine } from '../http/contacts-import';
import type { ContactImportRequest } from './admin';

/**
 * `almanac import FILE` through a running server: the file is streamed to
 * `POST /v1/admin/contacts/import` (never read whole), and the answer streamed back — progress
 * after each batch (rows, and bytes the server has read, against the file's size), every refused
 * row (written to the errors file as it comes), then the summary; an `error` line (the import
 * stopped part-way) becomes the same AppError a local run raises.
 */
export async function remoteImport(
  o: { base: string; key: string; fetch: typeof fetch },
  request: ContactImportRequest,
): Promise<ImportSummary> {
  let totalBytes: number;
  try {
    totalBytes = statSync(request.path).size;
  } catch (err) {
    throw new AppError('bad_request', `cannot read ${request.path}: ${(err as Error).message}`);
  }
  const query = new URLSearchParams({
    ...(request.map && {
      map: Object.entries(request.map)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    }),
    ...(request.dryRun && { dry_run: 'true' }),
    ...(request.trigger && { trigger: 'true' }),
  });
  const file = createReadStream(request.path);
  let res: Response;
  try {
    res = await o.fetch(`${o.base}/v1/admin/contacts/import${query.size ? `?${query}` : ''}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${o.key}`,
        accept: 'application/x-ndjson',
        'content-type': request.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
        'content-length': String(totalBytes),
      },
      body: Readable.toWeb(file) as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  } catch (err) {
    file.destroy();
    throw new AppError('unavailable', `cannot reach the Almanac server at ${o.base}: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok || !(res.headers.get('content-type') ?? '').includes('application/x-ndjson')) {
    file.destroy();
    const text = await res.text().catch(() => '');
    const error = (safeJson(text) as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new AppError(
      (error?.code ?? 'unavailable') as ErrorCode,
      error?.message ?? `the Almanac server at ${o.base} answered ${res.status} to the import`,
      {
        status: res.status,
        details: error?.details,
      },
    );
  }
  let summary: ImportSummary | undefined;
  let buffered = '';
  const decoder = new TextDecoder();
  const take = (line: string) => {
    if (line.trim() === '') return;
    const l = safeJson(line) as ImportStreamLine | undefined;
    if (!l) throw new AppError('unavailable', `the Almanac server at ${o.base} sent a line that is not JSON during the import`);
    if ('progress' in l) request.onProgress?.({ rows: l.progress.rows, bytes: l.progress.bytes, totalBytes });
    else if ('written' in l) request.onWrite?.(l.written);
    else if ('problem' in l) request.onProblem(l.problem);
    else if ('summary' in l) summary = l.summary;
    else throw new AppError(l.error.code as ErrorCode, l.error.message);
  };
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    lines.forEach(take);
  }
  take(buffered + decoder.decode());
  if (!summary) throw new AppError('unavailable', `the Almanac server at ${o.base} ended the import answer without a summary`);
  return summary;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
