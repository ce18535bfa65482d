/**
 * The one error type of Almanac. Anything a user or operator can cause (bad input, bad
 * configuration, a missing campaign) is an `AppError` with a stable machine `code`, an HTTP
 * `status` and optional `details`. The HTTP edge maps it once (src/http/on-error.ts); the CLI
 * prints `message` and exits 1. Anything else is a bug and is reported as `internal`.
 */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'config_invalid'
  | 'unavailable'
  /** A route that needs Node (the admin API, the import) asked of the Worker. */
  | 'node_only'
  | 'internal';

const defaultStatus: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  config_invalid: 500,
  unavailable: 503,
  node_only: 501,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? defaultStatus[code];
    this.details = options.details;
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

/** `{ error: { code, message, details } }`, the body of every error response. */
/** The one error shape: `details` is always there (`{}` when the error has none), as the README promises. */
export function errorBody(err: AppError): { error: { code: ErrorCode; message: string; details: unknown } } {
  return { error: { code: err.code, message: err.message, details: err.details ?? {} } };
}
