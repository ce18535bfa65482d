/** What every benchmark script shares: a labelled timer that prints seconds, and a median. */

/** Run `fn`, print `label` and the seconds it took (label padded to `width`), return its result and the seconds. */
export async function time<T>(label: string, fn: () => Promise<T>, width = 52): Promise<{ out: T; s: number }> {
  const t0 = performance.now();
  const out = await fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(width)} ${s.toFixed(2)} s`);
  return { out, s };
}

/** The middle value (the upper one of an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
