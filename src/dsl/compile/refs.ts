import type { Node } from 'yaml';
import type { Source } from '../source';
import { closest } from '../suggest';
import { knownEvents, knownPurposes } from './vocabulary';
import { warn } from '../source';

/**
 * Event types named anywhere in the project, gathered while compiling so that, once every file is
 * read, a name one typo away from a known or emitted event can be flagged.
 */
export interface EventRef {
  source: Source;
  node: Node;
  name: string;
}

export type EventRefs = EventRef[];

/** Warns about event names close to, but not equal to, a known or emitted one. */
export function checkEventNames(refs: EventRefs, emitted: Iterable<string>): void {
  const known = new Set<string>([...knownEvents, ...emitted]);
  for (const ref of refs) {
    if (known.has(ref.name)) continue;
    const near = closest(ref.name, known);
    if (near) warn(ref.source, ref.node, `unknown event "${ref.name}"`, `did you mean "${near}"?`);
  }
}

/** Warns about a consent purpose one typo away from a known one (custom purposes are fine). */
export function checkPurpose(source: Source, node: Node, purpose: string): void {
  if ((knownPurposes as readonly string[]).includes(purpose)) return;
  const near = closest(purpose, knownPurposes);
  if (near) warn(source, node, `unknown purpose "${purpose}"`, `did you mean "${near}"?`);
}
