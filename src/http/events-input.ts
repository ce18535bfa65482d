import { AppError } from '../errors';
import type { Result } from '../dsl/diagnostics';
import { type FieldError, formatFieldError } from '../events/types';

/**
 * Body helpers shared by the ingestion routes: JSON from text or verified raw bytes, and field
 * errors as one 400 `validation_failed` naming every field (batch items carry their `index`).
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('bad_request', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

export const decodeUtf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

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

/** The value of a parse, or the 400 naming its fields. */
export function orThrow<T>(result: Result<T, FieldError[]>, what?: string): T {
  if (!result.ok) throw validationError(result.error, what);
  return result.value;
}

/** `Idempotency-Key`: printable, at most 255 characters; absent → undefined. */
export function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw new AppError('bad_request', 'Idempotency-Key must be 1–255 printable characters without spaces');
  }
  return header;
}
