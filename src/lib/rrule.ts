import * as rruleModule from 'rrule';

/**
 * rrule ships CommonJS (`main`) and ESM (`module`). Node's ESM loader sees only the CJS
 * `default` export; bundlers (esbuild under wrangler) pick the ESM build, which has no
 * default. Reading `default ?? namespace` works under both.
 */
type RRuleModule = typeof import('rrule');
const resolved: RRuleModule = (rruleModule as unknown as { default?: RRuleModule }).default ?? (rruleModule as RRuleModule);

export const { RRule, rrulestr } = resolved;
export type RRule = import('rrule').RRule;
