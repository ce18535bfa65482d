/**
 * NUL (`\u0000`) and lone UTF-16 surrogates (`\ud800` without its pair): PostgreSQL refuses both
 * in text and jsonb, so input carrying one would fail at the insert with a 500. Every reader of
 * outside JSON checks for them first (src/http/events-input.ts, the SES notification parser).
 */
export const oddCharacters = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const hasOddCharacters = (s: string): boolean => {
  oddCharacters.lastIndex = 0;
  return oddCharacters.test(s);
};

/** Whether any string or key anywhere in a parsed JSON value has an odd character (iterative: depth is no risk). */
export function containsOddCharacters(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (hasOddCharacters(v)) return true;
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (hasOddCharacters(k)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}
