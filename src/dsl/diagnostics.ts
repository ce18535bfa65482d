/**
 * A problem found in campaign files. Printed as `file:line:col message — hint`
 * (e.g. `campaigns/abandoned-cart.yaml:14:7 unknown step "sned" — did you mean "send"?`).
 * Lines and columns are 1-based.
 */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  return `${where} ${prefix}${d.message}${d.hint ? ` — ${d.hint}` : ''}`;
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
